import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';

/** At most `limit` hits per `key` in a fixed window of `windowMs`, which starts at the first hit. */
export interface Limit {
	key: string;
	limit: number;
	windowMs: number;
}

export type Verdict = { allowed: true } | { allowed: false; retryAt: Date };

/**
 * Counts one hit against every limit and says whether all of them still allow it. Each count is
 * one atomic upsert, so a hundred parallel requests get a hundred distinct counts: at most
 * `limit` of them are allowed, whatever the interleaving and on every app server.
 */
export async function consume(
	db: Db | Transaction<Database>,
	limits: Limit[],
	now = new Date()
): Promise<Verdict> {
	let retryAt: Date | null = null;
	for (const { key, limit, windowMs } of limits) {
		const resetsAt = new Date(now.getTime() + windowMs);
		const { rows } = await sql<{ hits: number; resets_at: Date }>`
			insert into rate_limit (key, window_start, resets_at, hits) values (${key}, ${now}, ${resetsAt}, 1)
			on conflict (key) do update set
				hits = case when rate_limit.resets_at <= ${now} then 1 else rate_limit.hits + 1 end,
				window_start = case when rate_limit.resets_at <= ${now} then ${now} else rate_limit.window_start end,
				resets_at = case when rate_limit.resets_at <= ${now} then excluded.resets_at else rate_limit.resets_at end
			returning hits, resets_at`.execute(db);
		const row = rows[0];
		if (row.hits > limit && (!retryAt || row.resets_at > retryAt)) retryAt = row.resets_at;
	}
	return retryAt ? { allowed: false, retryAt } : { allowed: true };
}

/** Whether the next hit would be refused, without counting one. */
export async function peek(db: Db, limits: Limit[], now = new Date()): Promise<Verdict> {
	if (limits.length === 0) return { allowed: true };
	const rows = await db
		.selectFrom('rate_limit')
		.select(['key', 'hits', 'resets_at'])
		.where(
			'key',
			'in',
			limits.map((l) => l.key)
		)
		.where('resets_at', '>', now)
		.execute();
	let retryAt: Date | null = null;
	for (const row of rows) {
		const limit = limits.find((l) => l.key === row.key)!.limit;
		if (row.hits >= limit && (!retryAt || row.resets_at > retryAt)) retryAt = row.resets_at;
	}
	return retryAt ? { allowed: false, retryAt } : { allowed: true };
}

/** Gives back one hit, e.g. for an attempt that turned out to succeed. */
export async function refund(db: Db | Transaction<Database>, limits: Limit[]): Promise<void> {
	if (limits.length === 0) return;
	await db
		.updateTable('rate_limit')
		.set((eb) => ({ hits: sql`greatest(${eb.ref('hits')} - 1, 0)` }))
		.where(
			'key',
			'in',
			limits.map((l) => l.key)
		)
		.execute();
}

/** Forgets the count of these keys, e.g. an account's failures after a successful sign-in. */
export async function reset(db: Db | Transaction<Database>, keys: string[]): Promise<void> {
	if (keys.length === 0) return;
	await db.deleteFrom('rate_limit').where('key', 'in', keys).execute();
}

/** Deletes windows that have ended; the daily clean-up job calls it. */
export async function deleteEndedWindows(db: Db, now = new Date()): Promise<number> {
	const result = await db.deleteFrom('rate_limit').where('resets_at', '<=', now).executeTakeFirst();
	return Number(result.numDeletedRows);
}
