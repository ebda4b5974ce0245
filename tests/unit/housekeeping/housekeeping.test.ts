import { expect, test } from 'vitest';
import { sql } from 'kysely';
import { describeEachEngine } from '../helpers/engines';
import { newReference, submitted } from '../helpers/factories';
import { ingestEvents } from '$lib/server/events/event.service';
import { runHousekeeping } from '$lib/server/housekeeping/housekeeping.service';
import { startJobs, HOUSEKEEPING_QUEUE } from '$lib/server/jobs';
import { consume } from '$lib/server/ratelimit/rate-limit';

describeEachEngine('daily housekeeping', ({ db, engine }) => {
	const now = new Date('2026-12-01T03:30:00Z');
	const past = new Date(now.getTime() - 60_000);
	const future = new Date(now.getTime() + 60 * 60_000);
	const twoDaysAgo = new Date(now.getTime() - 2 * 24 * 60 * 60_000);

	test('deletes expired sessions, ended limits, spent reset links and spent activation codes, and keeps the live ones', async () => {
		const user = await db()
			.insertInto('app_user')
			.values({
				email: 'housekeeping@test.example',
				password_hash: 'x',
				display_name: 'H',
				kind: 'staff'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await db()
			.insertInto('user_session')
			.values([
				{ id: 'expired-session', user_id: user.id, expires_at: past },
				{ id: 'live-session', user_id: user.id, expires_at: future }
			])
			.execute();
		await db()
			.insertInto('pending_login')
			.values([
				{ id: 'expired-pending', user_id: user.id, expires_at: past },
				{ id: 'live-pending', user_id: user.id, expires_at: future }
			])
			.execute();
		await db()
			.insertInto('password_reset')
			.values([
				{ id: 'expired-reset', user_id: user.id, expires_at: past },
				{ id: 'used-reset', user_id: user.id, expires_at: future, used_at: past },
				{ id: 'live-reset', user_id: user.id, expires_at: future }
			])
			.execute();
		const reference = newReference();
		expect(
			await ingestEvents(db(), { events: [submitted(reference, '2026-11-01T10:00:00Z')] })
		).toMatchObject({ ok: true });
		const { id: caseId } = await db()
			.selectFrom('case')
			.select('id')
			.where('reference', '=', reference)
			.executeTakeFirstOrThrow();
		await db()
			.insertInto('activation_code')
			.values([
				{ case_id: caseId, code_hash: 'expired', expires_at: past },
				{
					case_id: caseId,
					code_hash: 'replaced-long-ago',
					expires_at: future,
					replaced_at: twoDaysAgo
				},
				{ case_id: caseId, code_hash: 'used-just-now', expires_at: future, used_at: past },
				{ case_id: caseId, code_hash: 'live', expires_at: future }
			])
			.execute();
		await consume(db(), [{ key: 'housekeeping:ended', limit: 5, windowMs: 60_000 }], twoDaysAgo);
		await consume(db(), [{ key: 'housekeeping:running', limit: 5, windowMs: 60 * 60_000 }], now);

		expect(await runHousekeeping(db(), now)).toEqual({
			sessions: 2,
			rateLimits: 1,
			passwordResets: 2,
			activationCodes: 2
		});

		expect(
			await db().selectFrom('user_session').select('id').where('user_id', '=', user.id).execute()
		).toEqual([{ id: 'live-session' }]);
		expect(
			await db().selectFrom('pending_login').select('id').where('user_id', '=', user.id).execute()
		).toEqual([{ id: 'live-pending' }]);
		expect(
			await db().selectFrom('password_reset').select('id').where('user_id', '=', user.id).execute()
		).toEqual([{ id: 'live-reset' }]);
		const codes = await db()
			.selectFrom('activation_code')
			.select('code_hash')
			.where('case_id', '=', caseId)
			.orderBy('code_hash')
			.execute();
		expect(codes.map((c) => c.code_hash)).toEqual(['live', 'used-just-now']);
		const limits = await db()
			.selectFrom('rate_limit')
			.select('key')
			.where('key', 'like', 'housekeeping:%')
			.execute();
		expect(limits.map((l) => l.key)).toEqual(['housekeeping:running']);
	});

	test('the job queue schedules it every night in Amsterdam time', async () => {
		const jobs = await startJobs(db(), { embedded: engine === 'pglite' });
		try {
			const { rows } = await sql<{
				cron: string;
				timezone: string;
			}>`select cron, timezone from pgboss.schedule where name = ${HOUSEKEEPING_QUEUE}`.execute(
				db()
			);
			expect(rows).toEqual([{ cron: '30 3 * * *', timezone: 'Europe/Amsterdam' }]);
		} finally {
			await jobs.stop();
		}
	});
});
