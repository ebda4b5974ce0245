import type { Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import * as repo from './rate-limit.repository';

/** At most `limit` hits per `key` in a fixed window of `windowMs`, which starts at the first hit. */
export interface Limit {
	key: string;
	limit: number;
	windowMs: number;
}

export type Verdict = { allowed: true } | { allowed: false; retryAt: Date };

/** Of several windows that refuse, the one that ends last decides when to try again. */
function verdictOf(refusedUntil: Date[]): Verdict {
	if (refusedUntil.length === 0) return { allowed: true };
	return { allowed: false, retryAt: new Date(Math.max(...refusedUntil.map((d) => d.getTime()))) };
}

/**
 * Counts one hit against every limit and says whether all of them still allow it. Each count is
 * atomic, so at most `limit` of a hundred parallel requests are allowed, whatever the interleaving.
 */
export async function consume(
	db: Db | Transaction<Database>,
	limits: Limit[],
	now = new Date()
): Promise<Verdict> {
	const refused: Date[] = [];
	for (const { key, limit, windowMs } of limits) {
		const row = await repo.countHit(db, key, now, new Date(now.getTime() + windowMs));
		if (row.hits > limit) refused.push(row.resets_at);
	}
	return verdictOf(refused);
}

/** Whether the next hit would be refused, without counting one. */
export async function peek(db: Db, limits: Limit[], now = new Date()): Promise<Verdict> {
	if (limits.length === 0) return { allowed: true };
	const rows = await repo.findOpenWindows(
		db,
		limits.map((l) => l.key),
		now
	);
	return verdictOf(
		rows
			.filter((row) => row.hits >= limits.find((l) => l.key === row.key)!.limit)
			.map((row) => row.resets_at)
	);
}

/** Gives back one hit, e.g. for an attempt that turned out to succeed. */
export async function refund(db: Db | Transaction<Database>, limits: Limit[]): Promise<void> {
	if (limits.length === 0) return;
	await repo.uncountHit(
		db,
		limits.map((l) => l.key)
	);
}

/** Forgets the count of these keys, e.g. an account's failures after a successful sign-in. */
export async function reset(db: Db | Transaction<Database>, keys: string[]): Promise<void> {
	if (keys.length === 0) return;
	await repo.deleteWindows(db, keys);
}

/** Deletes windows that have ended; the daily clean-up job calls it. */
export async function deleteEndedWindows(db: Db, now = new Date()): Promise<number> {
	return repo.deleteWindowsEndedBy(db, now);
}
