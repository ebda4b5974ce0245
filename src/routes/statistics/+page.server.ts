import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { getRecentStatistics, isOutdated } from '$lib/server/statistics/statistics.service';

export const load: PageServerLoad = async () => {
	const stats = await getRecentStatistics(db);
	return { stats, outdated: isOutdated(stats) };
};
