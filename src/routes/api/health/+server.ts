import { json } from '@sveltejs/kit';
import { sql } from 'kysely';
import type { RequestHandler } from './$types';
import { databaseProblem, db, poolStatus, RETRY_AFTER_SECONDS } from '$lib/server/db';

/** A health check that waits longer than a load balancer's own timeout says nothing. */
const CHECK_MS = 2500;

export const GET: RequestHandler = async () => {
	const began = performance.now();
	const headers = { 'Cache-Control': 'no-store' };
	let timer: ReturnType<typeof setTimeout> | undefined;
	const outcome = await Promise.race([
		sql`select 1`.execute(db).then(
			() => null,
			(error: unknown) => error ?? new Error('unknown')
		),
		new Promise<'late'>((done) => (timer = setTimeout(() => done('late'), CHECK_MS)))
	]);
	clearTimeout(timer);
	const latencyMs = Math.round((performance.now() - began) * 10) / 10;
	const pool = poolStatus(db);
	if (outcome === null)
		return json(
			{ status: 'ok', database: { reachable: true, latencyMs, ...(pool && { pool }) } },
			{ headers }
		);
	// Never the error's text: it can name hosts and users.
	const problem = outcome === 'late' ? 'timeout' : (databaseProblem(outcome) ?? 'error');
	if (outcome !== 'late' && problem === 'error') console.error('Health check:', outcome);
	return json(
		{
			status: 'degraded',
			database: { reachable: false, problem, latencyMs, ...(pool && { pool }) }
		},
		{ status: 503, headers: { ...headers, 'Retry-After': String(RETRY_AFTER_SECONDS) } }
	);
};
