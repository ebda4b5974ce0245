import { json } from '@sveltejs/kit';
import { sql } from 'kysely';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';

export const GET: RequestHandler = async () => {
	const began = performance.now();
	try {
		await sql`select 1`.execute(db);
		return json(
			{ status: 'ok', database: { reachable: true, latencyMs: Math.round((performance.now() - began) * 10) / 10 } },
			{ headers: { 'Cache-Control': 'no-store' } }
		);
	} catch {
		return json({ status: 'unavailable', database: { reachable: false } }, { status: 503, headers: { 'Cache-Control': 'no-store' } });
	}
};
