import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { getPlanningOverview } from '$lib/server/planning/figures.service';
import { planner } from './planner';

export const load: PageServerLoad = async ({ locals, getClientAddress }) => {
	planner(locals, getClientAddress());
	return { overview: await getPlanningOverview(db) };
};
