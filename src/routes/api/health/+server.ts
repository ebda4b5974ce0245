import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';
import { checkDatabase, unhealthy } from '$lib/server/health/health.service';
import { problemResponse } from '$lib/server/http/errors';

export const GET: RequestHandler = async () => {
	const database = await checkDatabase(db);
	if (!database.reachable) return problemResponse(unhealthy(database), {}, { database });
	return json({ status: 'ok', database }, { headers: { 'Cache-Control': 'no-store' } });
};
