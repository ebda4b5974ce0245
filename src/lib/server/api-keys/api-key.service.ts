import type { ApiScope } from '$lib/access';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { sha256Hex } from '$lib/server/crypto/hash';
import type { Db } from '$lib/server/db';
import { recordAudit, type Actor } from '$lib/server/audit/audit.service';
import { consume } from '$lib/server/ratelimit/rate-limit';
import { apiKeyErrors } from './api-key.errors';
import {
	findApiKeys,
	findLiveApiKey,
	insertApiKey,
	revokeLiveApiKey,
	updateApiKeyLastUsed
} from './api-key.repository';

export { apiKeyErrors };

const KEY_PREFIX = 'ma_';

/** What a key may do: feed case events, issue activation letters, and read the change feed. */
export const API_SCOPES = [
	'events:write',
	'letters:issue',
	'changes:read'
] as const satisfies readonly ApiScope[];
export type { ApiScope };

export const DEFAULT_REQUESTS_PER_MINUTE = 600;

export function isApiScope(value: string): value is ApiScope {
	return (API_SCOPES as readonly string[]).includes(value);
}

const hashSecret = sha256Hex;

export interface NewApiKey {
	label: string;
	scopes: readonly ApiScope[];
	requestsPerMinute?: number;
}

/** Creates an API key. The key itself is returned once; only its SHA-256 is stored. */
export async function createApiKey(db: Db, input: NewApiKey): Promise<{ id: number; key: string }> {
	const bytes = crypto.getRandomValues(new Uint8Array(25));
	const key = KEY_PREFIX + encodeBase32LowerCaseNoPadding(bytes);
	const id = await insertApiKey(db, {
		label: input.label,
		prefix: key.slice(0, 10),
		secretHash: hashSecret(key),
		scopes: [...new Set(input.scopes)],
		perMinute: input.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE
	});
	return { id, key };
}

/**
 * Who is calling, from an `Authorization: Bearer <key>` header: the key's id when it is known,
 * unrevoked, holds `scope` and is within its requests per minute. Otherwise an `apiKeyErrors`
 * refusal: unauthenticated (401), missing_scope (403) or rate_limited (429, with `retryAt`).
 * A `null` scope (a route that names none) refuses every key.
 */
export async function authenticateApiKey(
	db: Db,
	authorization: string | null,
	scope: ApiScope | null,
	now = new Date()
): Promise<number> {
	const key = bearerToken(authorization);
	const row =
		key && key.startsWith(KEY_PREFIX) && key.length <= 100
			? await findLiveApiKey(db, hashSecret(key))
			: undefined;
	if (!row)
		throw apiKeyErrors.error('unauthenticated', {
			detail: 'send a valid, unrevoked API key as "Authorization: Bearer <key>"'
		});
	if (scope === null)
		throw apiKeyErrors.error('missing_scope', { detail: 'no API key may use this route' });
	if (!row.scopes.includes(scope))
		throw apiKeyErrors.error('missing_scope', {
			detail: `this API key lacks the scope "${scope}"; its scopes: ${row.scopes.join(', ') || 'none'}`
		});
	const verdict = await consume(
		db,
		[{ key: `api-key:${row.id}`, limit: row.requests_per_minute, windowMs: 60_000 }],
		now
	);
	if (!verdict.allowed) {
		const seconds = Math.max(1, Math.ceil((verdict.retryAt.getTime() - now.getTime()) / 1000));
		throw apiKeyErrors.error('rate_limited', {
			retryAt: verdict.retryAt,
			detail: `this API key may make ${row.requests_per_minute} requests a minute; try again in ${seconds} s`
		});
	}
	// Written at most once a minute so that a busy feed does not turn every request into a write.
	if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000)
		await updateApiKeyLastUsed(db, row.id, now);
	return row.id;
}

/** Revokes a key and records who did, in one transaction: no revocation without its audit row. */
export async function revokeApiKey(db: Db, id: number, actor: Actor): Promise<boolean> {
	return db.transaction().execute(async (trx) => {
		if (!(await revokeLiveApiKey(trx, id, new Date()))) return false;
		await recordAudit(trx, actor, { action: 'admin.api_key_revoked', subject: `api_key:${id}` });
		return true;
	});
}

export async function listApiKeys(db: Db) {
	return findApiKeys(db);
}

/** The key from an `Authorization: Bearer <key>` header. */
export function bearerToken(header: string | null): string | null {
	const match = header?.match(/^Bearer\s+(\S+)$/i);
	return match ? match[1] : null;
}
