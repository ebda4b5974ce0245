import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';
import { getRecentStatistics } from '$lib/server/statistics/statistics.service';
import { exportHeaders, statisticsToJson } from '$lib/server/statistics/statistics.export';

export const GET: RequestHandler = async ({ locals }) => {
	const stats = await getRecentStatistics(db);
	return json(statisticsToJson(stats, locals.lang), {
		headers: exportHeaders(stats, locals.lang, 'application/json; charset=utf-8')
	});
};
