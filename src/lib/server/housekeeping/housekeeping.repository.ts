import type { Db } from '$lib/server/db';
import { expired, spent } from '$lib/server/db/expiry';

const DAY = 24 * 60 * 60 * 1000;

export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
	const sessions = await db
		.deleteFrom('user_session')
		.where(expired('user_session', now))
		.executeTakeFirst();
	// Sign-ins that stopped between the password and the second step.
	const pending = await db
		.deleteFrom('pending_login')
		.where(expired('pending_login', now))
		.executeTakeFirst();
	return Number(sessions.numDeletedRows) + Number(pending.numDeletedRows);
}

/** Reset links that expired or were used: a used link is worth nothing, and its row tells nothing the audit log does not. */
export async function deleteSpentPasswordResets(db: Db, now: Date): Promise<number> {
	const result = await db
		.deleteFrom('password_reset')
		.where(spent('password_reset', now))
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}

/** Expired codes, and codes used or replaced more than a day ago (a day leaves room to answer a confused caller). */
export async function deleteSpentActivationCodes(db: Db, now: Date): Promise<number> {
	const dayAgo = new Date(now.getTime() - DAY);
	const result = await db
		.deleteFrom('activation_code')
		.where((eb) =>
			eb.or([
				eb('expires_at', '<=', now),
				eb('used_at', '<=', dayAgo),
				eb('replaced_at', '<=', dayAgo)
			])
		)
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}
