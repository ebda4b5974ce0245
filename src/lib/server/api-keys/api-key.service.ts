import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Db } from '$lib/server/db';

const KEY_PREFIX = 'ma_';

function hashSecret(key: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(key)));
}

/** Creates an API key. The key itself is returned once; only its SHA-256 is stored. */
export async function createApiKey(db: Db, label: string): Promise<{ id: number; key: string }> {
	const bytes = crypto.getRandomValues(new Uint8Array(25));
	const key = KEY_PREFIX + encodeBase32LowerCaseNoPadding(bytes);
	const row = await db
		.insertInto('api_key')
		.values({ label, prefix: key.slice(0, 10), secret_hash: hashSecret(key) })
		.returning('id')
		.executeTakeFirstOrThrow();
	return { id: row.id, key };
}

/** The key's id when it is known and not revoked. */
export async function verifyApiKey(db: Db, key: string): Promise<number | null> {
	if (!key.startsWith(KEY_PREFIX) || key.length > 100) return null;
	const row = await db
		.selectFrom('api_key')
		.select(['id', 'last_used_at'])
		.where('secret_hash', '=', hashSecret(key))
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	if (!row) return null;
	// Written at most once a minute so that a busy feed does not turn every request into a write.
	if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
		await db.updateTable('api_key').set({ last_used_at: new Date() }).where('id', '=', row.id).execute();
	}
	return row.id;
}

export async function revokeApiKey(db: Db, id: number): Promise<boolean> {
	const result = await db.updateTable('api_key').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
	return result.numUpdatedRows > 0n;
}

export async function listApiKeys(db: Db) {
	return db.selectFrom('api_key').select(['id', 'label', 'prefix', 'created_at', 'last_used_at', 'revoked_at']).orderBy('id').execute();
}

/** The key from an `Authorization: Bearer <key>` header. */
export function bearerToken(header: string | null): string | null {
	const match = header?.match(/^Bearer\s+(\S+)$/i);
	return match ? match[1] : null;
}
