import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import { unexpired } from '$lib/server/db/expiry';
import { signInAccountColumns } from './user.repository';

/** One pending sign-in per account: a new one replaces the older. */
export async function replacePendingLogin(
	trx: Db,
	pending: { id: string; userId: number; now: Date; expiresAt: Date; userAgent: string | null }
): Promise<void> {
	await deletePendingLoginsOfUser(trx, pending.userId);
	await trx
		.insertInto('pending_login')
		.values({
			id: pending.id,
			user_id: pending.userId,
			created_at: pending.now,
			expires_at: pending.expiresAt,
			user_agent: pending.userAgent
		})
		.execute();
}

export async function findLivePendingLogin(db: Db, id: string, now: Date) {
	return db
		.selectFrom('pending_login')
		.innerJoin('app_user', 'app_user.id', 'pending_login.user_id')
		.select([
			'pending_login.id',
			'pending_login.enrol_secret as enrolSecret',
			'pending_login.user_agent as userAgent'
		])
		.select(signInAccountColumns)
		.where('pending_login.id', '=', id)
		.where(unexpired('pending_login', now))
		.executeTakeFirst();
}

/** Ends a pending sign-in; false when it had ended already (another tab used it). */
export async function deletePendingLogin(db: Db, id: string): Promise<boolean> {
	const ended = await db.deleteFrom('pending_login').where('id', '=', id).executeTakeFirst();
	return ended.numDeletedRows === 1n;
}

export async function deletePendingLoginsOfUser(db: Db, userId: number): Promise<void> {
	await db.deleteFrom('pending_login').where('user_id', '=', userId).execute();
}

/** Keeps the first secret offered for enrolment: two loads at once agree on one. */
export async function keepEnrolSecret(db: Db, id: string, secret: string): Promise<string> {
	const row = await db
		.updateTable('pending_login')
		.set({ enrol_secret: sql<string>`coalesce(enrol_secret, ${secret})` })
		.where('id', '=', id)
		.returning('enrol_secret')
		.executeTakeFirstOrThrow();
	return row.enrol_secret!;
}
