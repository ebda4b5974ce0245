import type { Db } from '$lib/server/db';
import { consume, peek, reset, type Limit } from '$lib/server/ratelimit/rate-limit';

export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;

/**
 * Failed attempts allowed per key in a fixed 15-minute window. The account is counted per IP,
 * so an attacker elsewhere cannot lock its owner out; each IP also has an overall budget
 * against guessing across many accounts. Every block ends with its window.
 */
export const THROTTLE_LIMITS = { accountIp: 5, ip: 50 } as const;

export function throttleKeys(scope: 'login' | 'activate', account: string, ip: string): Limit[] {
	return [
		{
			key: `${scope}:account:${account.trim().toLowerCase()}:ip:${ip}`,
			limit: THROTTLE_LIMITS.accountIp,
			windowMs: THROTTLE_WINDOW_MS
		},
		{ key: `${scope}:ip:${ip}`, limit: THROTTLE_LIMITS.ip, windowMs: THROTTLE_WINDOW_MS }
	];
}

/** When any key is over its limit: the moment it may be tried again. */
export async function blockedUntil(db: Db, keys: Limit[], now = new Date()): Promise<Date | null> {
	const verdict = await peek(db, keys, now);
	return verdict.allowed ? null : verdict.retryAt;
}

export async function recordFailure(db: Db, keys: Limit[], now = new Date()): Promise<void> {
	await consume(db, keys, now);
}

export async function clearFailures(db: Db, keys: Limit[]): Promise<void> {
	await reset(db, [keys[0].key]);
}

/** Codes of the second step, per account whatever the IP: 5 in 15 minutes. */
export function secondFactorLimits(userId: number): Limit[] {
	return [{ key: `totp:user:${userId}`, limit: 5, windowMs: THROTTLE_WINDOW_MS }];
}

/** Reset links: 3 an hour per address (no mailbox flooding), 20 an hour per IP. */
export function resetRequestLimits(address: string, ip: string): Limit[] {
	return [
		{ key: `reset:email:${address.trim().toLowerCase()}`, limit: 3, windowMs: 60 * 60 * 1000 },
		{ key: `reset:ip:${ip}`, limit: 20, windowMs: 60 * 60 * 1000 }
	];
}
