import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';

type Executor = Db | Transaction<Database>;

/**
 * Counts one hit of `key` in one atomic upsert, starting a new window when the last one ended, so
 * a hundred parallel requests get a hundred distinct counts on every app server.
 */
export async function countHit(
	db: Executor,
	key: string,
	now: Date,
	resetsAt: Date
): Promise<{ hits: number; resets_at: Date }> {
	const { rows } = await sql<{ hits: number; resets_at: Date }>`
		insert into rate_limit (key, window_start, resets_at, hits) values (${key}, ${now}, ${resetsAt}, 1)
		on conflict (key) do update set
			hits = case when rate_limit.resets_at <= ${now} then 1 else rate_limit.hits + 1 end,
			window_start = case when rate_limit.resets_at <= ${now} then ${now} else rate_limit.window_start end,
			resets_at = case when rate_limit.resets_at <= ${now} then excluded.resets_at else rate_limit.resets_at end
		returning hits, resets_at`.execute(db);
	return rows[0];
}

/** The windows of these keys that have not ended. */
export async function findOpenWindows(db: Db, keys: string[], now: Date) {
	return db
		.selectFrom('rate_limit')
		.select(['key', 'hits', 'resets_at'])
		.where('key', 'in', keys)
		.where('resets_at', '>', now)
		.execute();
}

export async function uncountHit(db: Executor, keys: string[]): Promise<void> {
	await db
		.updateTable('rate_limit')
		.set((eb) => ({ hits: sql`greatest(${eb.ref('hits')} - 1, 0)` }))
		.where('key', 'in', keys)
		.execute();
}

export async function deleteWindows(db: Executor, keys: string[]): Promise<void> {
	await db.deleteFrom('rate_limit').where('key', 'in', keys).execute();
}

export async function deleteWindowsEndedBy(db: Db, now: Date): Promise<number> {
	const result = await db.deleteFrom('rate_limit').where('resets_at', '<=', now).executeTakeFirst();
	return Number(result.numDeletedRows);
}
