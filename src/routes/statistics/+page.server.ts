import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { getRecentStatistics } from '$lib/server/statistics/statistics.service';

export const load: PageServerLoad = async () => {
	return { stats: await getRecentStatistics(db) };
};
