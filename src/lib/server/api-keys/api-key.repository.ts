import type { ExpressionBuilder } from 'kysely';
import type { ApiScope } from '$lib/access';
import type { Database, Db } from '$lib/server/db';

/** A key works until it is revoked. */
function live(eb: ExpressionBuilder<Database, 'api_key'>) {
	return eb('api_key.revoked_at', 'is', null);
}

export async function insertApiKey(
	db: Db,
	key: { label: string; prefix: string; secretHash: string; scopes: ApiScope[]; perMinute: number }
): Promise<number> {
	const row = await db
		.insertInto('api_key')
		.values({
			label: key.label,
			prefix: key.prefix,
			secret_hash: key.secretHash,
			scopes: key.scopes,
			requests_per_minute: key.perMinute
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

/** The live key with this secret hash. */
export async function findLiveApiKey(db: Db, secretHash: string) {
	return db
		.selectFrom('api_key')
		.select(['id', 'last_used_at', 'scopes', 'requests_per_minute'])
		.where('secret_hash', '=', secretHash)
		.where(live)
		.executeTakeFirst();
}

export async function updateApiKeyLastUsed(db: Db, id: number, at: Date): Promise<void> {
	await db.updateTable('api_key').set({ last_used_at: at }).where('id', '=', id).execute();
}

/** Revokes a live key; false when there is none with this id, or it was revoked already. */
export async function revokeLiveApiKey(db: Db, id: number, at: Date): Promise<boolean> {
	const result = await db
		.updateTable('api_key')
		.set({ revoked_at: at })
		.where('id', '=', id)
		.where(live)
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

export async function findApiKeys(db: Db) {
	return db
		.selectFrom('api_key')
		.select([
			'id',
			'label',
			'prefix',
			'scopes',
			'requests_per_minute',
			'created_at',
			'last_used_at',
			'revoked_at'
		])
		.orderBy('id')
		.execute();
}
