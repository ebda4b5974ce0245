import { expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import {
	apiKeyErrors,
	authenticateApiKey,
	createApiKey,
	listApiKeys,
	revokeApiKey,
	type ApiScope
} from '$lib/server/api-keys/api-key.service';
import { statusOf } from '$lib/server/http/errors';
import * as scopesMigration from '../../../migrations/2026_12_01_000031_add_api_key_scopes';
import { describeEachEngine } from '../helpers/engines';

const admin = { userId: null, role: 'admin', ip: '10.0.0.1' };

/**
 * The key's id, or the refusal as the API answers it: the status its kind maps to, the code and
 * the seconds to wait.
 */
async function check(db: Db, authorization: string | null, scope: ApiScope | null, now?: Date) {
	try {
		return { ok: true as const, keyId: await authenticateApiKey(db, authorization, scope, now) };
	} catch (e) {
		if (!apiKeyErrors.is(e)) throw e;
		const waited = e.retryAt && now ? (e.retryAt.getTime() - now.getTime()) / 1000 : null;
		return {
			ok: false as const,
			status: statusOf(e.kind),
			code: e.code,
			message: e.message,
			...(waited === null ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(waited)) })
		};
	}
}

describeEachEngine('API keys', ({ db }) => {
	it('answers 401 for a missing, unknown or revoked key', async () => {
		const { id, key } = await createApiKey(db(), { label: 'feed', scopes: ['events:write'] });
		expect(await check(db(), null, 'events:write')).toMatchObject({
			ok: false,
			status: 401,
			code: 'unauthenticated'
		});
		expect(await check(db(), 'Bearer ma_notakey', 'events:write')).toMatchObject({
			ok: false,
			status: 401
		});
		expect(await check(db(), `Bearer ${key}`, 'events:write')).toEqual({
			ok: true,
			keyId: id
		});
		await revokeApiKey(db(), id, admin);
		expect(await check(db(), `Bearer ${key}`, 'events:write')).toMatchObject({
			ok: false,
			status: 401
		});
	});

	it('answers 403 when the key lacks the scope of the route', async () => {
		const events = await createApiKey(db(), { label: 'feed', scopes: ['events:write'] });
		const letters = await createApiKey(db(), { label: 'printer', scopes: ['letters:issue'] });
		expect(await check(db(), `Bearer ${events.key}`, 'letters:issue')).toMatchObject({
			ok: false,
			status: 403,
			code: 'missing_scope'
		});
		expect(await check(db(), `Bearer ${letters.key}`, 'events:write')).toMatchObject({
			ok: false,
			status: 403,
			code: 'missing_scope'
		});
		expect(await check(db(), `Bearer ${letters.key}`, 'letters:issue')).toEqual({
			ok: true,
			keyId: letters.id
		});
		expect(await check(db(), `Bearer ${letters.key}`, null)).toMatchObject({
			ok: false,
			status: 403
		});
	});

	it('answers 429 with the seconds to wait once a key has made its requests of the minute, and lets it in again after', async () => {
		const { key } = await createApiKey(db(), {
			label: 'slow',
			scopes: ['events:write'],
			requestsPerMinute: 3
		});
		const at = new Date('2026-06-01T12:00:00Z');
		for (let i = 0; i < 3; i++)
			expect(
				await check(db(), `Bearer ${key}`, 'events:write', new Date(at.getTime() + i * 1000))
			).toMatchObject({ ok: true });
		const refused = await check(
			db(),
			`Bearer ${key}`,
			'events:write',
			new Date(at.getTime() + 20_000)
		);
		expect(refused).toEqual(
			expect.objectContaining({
				ok: false,
				status: 429,
				code: 'rate_limited',
				retryAfterSeconds: 40
			})
		);
		expect(
			await check(db(), `Bearer ${key}`, 'events:write', new Date(at.getTime() + 60_000))
		).toMatchObject({ ok: true });
	});

	it('counts parallel requests atomically: of 20 at once, exactly the limit of 5 get through', async () => {
		const { key } = await createApiKey(db(), {
			label: 'burst',
			scopes: ['events:write'],
			requestsPerMinute: 5
		});
		const results = await Promise.all(
			Array.from({ length: 20 }, () => check(db(), `Bearer ${key}`, 'events:write'))
		);
		expect(results.filter((r) => r.ok)).toHaveLength(5);
		expect(results.filter((r) => !r.ok && r.status === 429)).toHaveLength(15);
	});

	it('limits each key on its own', async () => {
		const a = await createApiKey(db(), {
			label: 'a',
			scopes: ['events:write'],
			requestsPerMinute: 1
		});
		const b = await createApiKey(db(), {
			label: 'b',
			scopes: ['events:write'],
			requestsPerMinute: 1
		});
		expect(await check(db(), `Bearer ${a.key}`, 'events:write')).toMatchObject({
			ok: true
		});
		expect(await check(db(), `Bearer ${a.key}`, 'events:write')).toMatchObject({
			ok: false,
			status: 429
		});
		expect(await check(db(), `Bearer ${b.key}`, 'events:write')).toMatchObject({
			ok: true
		});
	});

	it('lists scopes and limits, and the database refuses an unknown scope or a limit of 0', async () => {
		const { id } = await createApiKey(db(), {
			label: 'listed',
			scopes: ['events:write', 'letters:issue'],
			requestsPerMinute: 120
		});
		expect((await listApiKeys(db())).find((k) => k.id === id)).toMatchObject({
			scopes: ['events:write', 'letters:issue'],
			requests_per_minute: 120
		});
		await expect(
			createApiKey(db(), { label: 'bad', scopes: ['admin:everything' as 'events:write'] })
		).rejects.toThrow(/api_key_scopes_known/);
		await expect(
			createApiKey(db(), { label: 'bad', scopes: ['events:write'], requestsPerMinute: 0 })
		).rejects.toThrow(/api_key_requests_per_minute_positive/);
	});

	it('writes the audit row of a revocation in the same transaction as the revocation', async () => {
		const { id } = await createApiKey(db(), { label: 'to revoke', scopes: ['events:write'] });
		expect(await revokeApiKey(db(), id, admin)).toBe(true);
		expect(await revokeApiKey(db(), id, admin)).toBe(false);
		const key = await sql<{
			xmin: string;
		}>`select xmin::text from api_key where id = ${id}`.execute(db());
		const audit = await sql<{
			xmin: string;
		}>`select xmin::text from audit_event where subject = ${`api_key:${id}`} and action = 'admin.api_key_revoked'`.execute(
			db()
		);
		// Rows written by one transaction carry its id in xmin.
		expect(audit.rows).toHaveLength(1);
		expect(audit.rows[0].xmin).toBe(key.rows[0].xmin);
	});
});

describeEachEngine('API key scopes migration', ({ db }) => {
	it('gives keys that existed before scopes both scopes, so the case system keeps working', async () => {
		await sql`delete from activation_letter_request`.execute(db());
		await scopesMigration.down(db());
		await sql`insert into api_key (label, prefix, secret_hash) values ('old feed', 'ma_old', 'x')`.execute(
			db()
		);
		await scopesMigration.up(db());
		const row = await db()
			.selectFrom('api_key')
			.select(['scopes', 'requests_per_minute'])
			.where('label', '=', 'old feed')
			.executeTakeFirstOrThrow();
		expect(row).toEqual({ scopes: ['events:write', 'letters:issue'], requests_per_minute: 600 });
	});
});
