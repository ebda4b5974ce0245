import { sql } from 'kysely';
import type { Db } from '$lib/server/db';

export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;

/**
 * Failed attempts allowed per key in a fixed 15-minute window. The account is counted per IP,
 * so an attacker elsewhere cannot lock its owner out; each IP also has an overall budget
 * against guessing across many accounts. Every block ends with its window.
 */
export const THROTTLE_LIMITS = { accountIp: 5, ip: 50 } as const;

export function throttleKeys(scope: 'login' | 'activate', account: string, ip: string) {
	return [
		{ key: `${scope}:account:${account.trim().toLowerCase()}:ip:${ip}`, limit: THROTTLE_LIMITS.accountIp },
		{ key: `${scope}:ip:${ip}`, limit: THROTTLE_LIMITS.ip }
	];
}

type Key = { key: string; limit: number };

/** When any key is over its limit: the moment it may be tried again. */
export async function blockedUntil(db: Db, keys: Key[], now = new Date()): Promise<Date | null> {
	const rows = await db
		.selectFrom('auth_throttle')
		.selectAll()
		.where('key', 'in', keys.map((k) => k.key))
		.execute();
	let until: Date | null = null;
	for (const row of rows) {
		const limit = keys.find((k) => k.key === row.key)!.limit;
		const end = new Date(row.window_start.getTime() + THROTTLE_WINDOW_MS);
		if (row.failures >= limit && end > now && (!until || end > until)) until = end;
	}
	return until;
}

export async function recordFailure(db: Db, keys: Key[], now = new Date()): Promise<void> {
	const windowStart = new Date(now.getTime() - THROTTLE_WINDOW_MS);
	for (const { key } of keys) {
		await sql`
			insert into auth_throttle (key, window_start, failures) values (${key}, ${now}, 1)
			on conflict (key) do update set
				failures = case when auth_throttle.window_start <= ${windowStart} then 1 else auth_throttle.failures + 1 end,
				window_start = case when auth_throttle.window_start <= ${windowStart} then ${now} else auth_throttle.window_start end`.execute(db);
	}
}

export async function clearFailures(db: Db, keys: Key[]): Promise<void> {
	await db.deleteFrom('auth_throttle').where('key', '=', keys[0].key).execute();
}
