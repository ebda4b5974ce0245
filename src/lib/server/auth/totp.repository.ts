import type { Db } from '$lib/server/db';
import { unused } from '$lib/server/db/expiry';

/** Saves the account's key unless it has one; true when this call saved it. */
export async function insertTotpIfAbsent(
	db: Db,
	userId: number,
	secret: string,
	step: number
): Promise<boolean> {
	const inserted = await db
		.insertInto('user_totp')
		.values({ user_id: userId, secret, last_step: step })
		.onConflict((oc) => oc.column('user_id').doNothing())
		.returning('user_id')
		.executeTakeFirst();
	return !!inserted;
}

/** Deletes the account's key; true when it had one. */
export async function deleteTotp(db: Db, userId: number): Promise<boolean> {
	const deleted = await db.deleteFrom('user_totp').where('user_id', '=', userId).executeTakeFirst();
	return deleted.numDeletedRows === 1n;
}

export async function findTotpSecret(db: Db, userId: number): Promise<string | null> {
	const row = await db
		.selectFrom('user_totp')
		.select('secret')
		.where('user_id', '=', userId)
		.executeTakeFirst();
	return row?.secret ?? null;
}

/** Moves the key's last accepted step forward to `step`; false when it is there already or beyond. */
export async function advanceTotpStep(db: Db, userId: number, step: number): Promise<boolean> {
	const claimed = await db
		.updateTable('user_totp')
		.set({ last_step: step })
		.where('user_id', '=', userId)
		.where('last_step', '<', step)
		.executeTakeFirst();
	return claimed.numUpdatedRows === 1n;
}

export async function deleteRecoveryCodes(db: Db, userId: number): Promise<void> {
	await db.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
}

export async function insertRecoveryCodes(db: Db, userId: number, hashes: string[]): Promise<void> {
	await db
		.insertInto('recovery_code')
		.values(hashes.map((code_hash) => ({ user_id: userId, code_hash })))
		.execute();
}

/** Marks an unused recovery code used; false when there is none with this hash. */
export async function claimRecoveryCode(
	db: Db,
	userId: number,
	hash: string,
	now: Date
): Promise<boolean> {
	const claimed = await db
		.updateTable('recovery_code')
		.set({ used_at: now })
		.where('user_id', '=', userId)
		.where('code_hash', '=', hash)
		.where(unused('recovery_code'))
		.executeTakeFirst();
	return claimed.numUpdatedRows === 1n;
}

export async function countUnusedRecoveryCodes(db: Db, userId: number): Promise<number> {
	const row = await db
		.selectFrom('recovery_code')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('user_id', '=', userId)
		.where(unused('recovery_code'))
		.executeTakeFirstOrThrow();
	return Number(row.n);
}
