import { databaseProblem, poolStatus, RETRY_AFTER_SECONDS, type Db } from '$lib/server/db';
import { defineErrors } from '$lib/server/errors';
import { pingDatabase } from './health.repository';

/** A health check that waits longer than a load balancer's own timeout says nothing. */
const CHECK_MS = 2500;

export const healthErrors = defineErrors('health', {
	database_unreachable: 'unavailable'
});

/** The problem a failed check is answered with; its report goes along as the `database` member. */
export function unhealthy(database: DatabaseHealth) {
	return healthErrors.error('database_unreachable', {
		detail: `the database is not usable (${database.problem}); try again later`,
		retryAt: new Date(Date.now() + RETRY_AFTER_SECONDS * 1000)
	});
}

export interface DatabaseHealth {
	reachable: boolean;
	problem?: string;
	latencyMs: number;
	pool?: { total: number; idle: number; waiting: number };
}

/** Whether the database answers within the check's time, and if not, what is wrong. */
export async function checkDatabase(db: Db): Promise<DatabaseHealth> {
	const began = performance.now();
	let timer: ReturnType<typeof setTimeout> | undefined;
	const outcome = await Promise.race([
		pingDatabase(db).then(
			() => null,
			(error: unknown) => error ?? new Error('unknown')
		),
		new Promise<'late'>((done) => (timer = setTimeout(() => done('late'), CHECK_MS)))
	]);
	clearTimeout(timer);
	const latencyMs = Math.round((performance.now() - began) * 10) / 10;
	const pool = poolStatus(db);
	if (outcome === null) return { reachable: true, latencyMs, ...(pool && { pool }) };
	// Never the error's text: it can name hosts and users.
	const problem = outcome === 'late' ? 'timeout' : (databaseProblem(outcome) ?? 'error');
	if (outcome !== 'late' && problem === 'error') console.error('Health check:', outcome);
	return { reachable: false, problem, latencyMs, ...(pool && { pool }) };
}
