import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import { live, unused } from '$lib/server/db/expiry';

/** Marks every unused reset link of the account used. */
export async function retireResetLinks(db: Db, userId: number, now: Date): Promise<void> {
	await db
		.updateTable('password_reset')
		.set({ used_at: now })
		.where('user_id', '=', userId)
		.where(unused('password_reset'))
		.execute();
}

/**
 * Stores a reset link for the account `userId`, or nothing when there is no such account, with the
 * same statement either way, so timing does not tell whether the address has an account.
 */
export async function insertResetLinkIfUser(
	db: Db,
	link: { id: string; userId: number; now: Date; expiresAt: Date }
): Promise<void> {
	await db
		.insertInto('password_reset')
		.columns(['id', 'user_id', 'created_at', 'expires_at'])
		.expression((eb) =>
			eb
				.selectFrom('app_user')
				.select([
					sql<string>`${link.id}::text`.as('id'),
					'id as user_id',
					sql<Date>`${link.now}::timestamptz`.as('created_at'),
					sql<Date>`${link.expiresAt}::timestamptz`.as('expires_at')
				])
				.where('id', '=', link.userId)
		)
		.execute();
}

/** Uses up a live reset link; returns its account, or null when it is unknown, used or expired. */
export async function claimResetLink(db: Db, id: string, now: Date): Promise<number | null> {
	const row = await db
		.updateTable('password_reset')
		.set({ used_at: now })
		.where('id', '=', id)
		.where(live('password_reset', now))
		.returning('user_id')
		.executeTakeFirst();
	return row?.user_id ?? null;
}

export async function isResetLinkLive(db: Db, id: string, now: Date): Promise<boolean> {
	const row = await db
		.selectFrom('password_reset')
		.select('id')
		.where('id', '=', id)
		.where(live('password_reset', now))
		.executeTakeFirst();
	return !!row;
}
