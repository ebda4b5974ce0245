import type { RequestHandler } from './$types';
import { dutchDate } from '$lib/time';
import { db } from '$lib/server/db';
import { getRecentStatistics } from '$lib/server/statistics/statistics.service';
import { exportHeaders, statisticsToCsv } from '$lib/server/statistics/statistics.export';

export const GET: RequestHandler = async ({ locals }) => {
	const stats = await getRecentStatistics(db);
	const day = dutchDate(stats.computedAt);
	return new Response(statisticsToCsv(stats, locals.lang), {
		headers: {
			...exportHeaders(stats, locals.lang, 'text/csv; charset=utf-8'),
			'Content-Disposition': `attachment; filename="mijn-aanvraag-wachtrijen-${day}.csv"`
		}
	});
};
