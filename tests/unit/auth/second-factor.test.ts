import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
	sql,
	type KyselyPlugin,
	type PluginTransformQueryArgs,
	type PluginTransformResultArgs,
	type QueryResult,
	type RootOperationNode,
	type UnknownRow
} from 'kysely';
import {
	completeEnrolment,
	completeSecondFactor,
	enrolmentSecret,
	findPendingLogin,
	login,
	logout,
	type LoginResult
} from '$lib/server/auth/login.service';
import { renewRecoveryCodes } from '$lib/server/auth/second-factor.service';
import { requestPasswordReset, resetPassword } from '$lib/server/auth/password-reset.service';
import { verifyPassword } from '$lib/server/auth/password';
import {
	sessionCookieName,
	setSessionCookie,
	staffIdleMs,
	validateSessionToken
} from '$lib/server/auth/session';
import { stepAt, totpCode } from '$lib/server/auth/totp';
import { publicOrigin } from '$lib/server/auth/origin';
import { resetSecondFactor, setAccountDisabled } from '$lib/server/admin/admin.service';
import { findOutbox } from '$lib/server/notify/email.service';
import { isDemoMode } from '$lib/server/config/mode';
import { demoTotpSecret } from '$lib/server/demo/totp';
import { describeEachEngine } from '../helpers/engines';
import { PASSWORD, admin, enrolled, newStaff, pendingOf } from './fixtures';

function sessionOf(result: LoginResult) {
	if (result.kind !== 'session') throw new Error('expected a session');
	return result;
}

describeEachEngine('second factor', ({ db }) => {
	it('gives staff no session after the password: they enrol, then get one, with ten recovery codes stored hashed', async () => {
		const staff = await newStaff(db(), ['admin']);
		const now = new Date();
		const first = pendingOf(await login(db(), staff.email, PASSWORD, '10.5.1.1', 'Firefox', now));
		expect(first.enrol).toBe(true);
		expect(
			await db().selectFrom('user_session').select('id').where('user_id', '=', staff.id).execute()
		).toEqual([]);
		// The pending sign-in's token is no session anywhere.
		expect(await validateSessionToken(db(), first.pendingToken)).toBeNull();

		const pending = (await findPendingLogin(db(), first.pendingToken, now))!;
		const secret = await enrolmentSecret(db(), pending);
		expect(
			await enrolmentSecret(db(), (await findPendingLogin(db(), first.pendingToken, now))!)
		).toBe(secret);
		await expect(
			completeEnrolment(
				db(),
				first.pendingToken,
				'000000' === totpCode(secret, stepAt(now)) ? '111111' : '000000',
				'10.5.1.1',
				now
			)
		).rejects.toMatchObject({ code: 'bad_code' });
		const done = await completeEnrolment(
			db(),
			first.pendingToken,
			totpCode(secret, stepAt(now)),
			'10.5.1.1',
			now
		);
		expect(done.recoveryCodes).toHaveLength(10);
		expect(new Set(done.recoveryCodes).size).toBe(10);
		const stored = await db()
			.selectFrom('recovery_code')
			.select('code_hash')
			.where('user_id', '=', staff.id)
			.execute();
		expect(stored).toHaveLength(10);
		for (const code of done.recoveryCodes)
			expect(stored.map((r) => r.code_hash)).not.toContain(code);
		expect((await validateSessionToken(db(), done.token, now))?.userId).toBe(staff.id);
		// The pending sign-in is gone with it.
		await expect(
			completeEnrolment(
				db(),
				first.pendingToken,
				totpCode(secret, stepAt(now) + 1),
				'10.5.1.1',
				now
			)
		).rejects.toMatchObject({ code: 'pending_expired' });
		const audit = await db()
			.selectFrom('audit_event')
			.select(['action', 'details'])
			.where('actor_user_id', '=', staff.id)
			.orderBy('id')
			.execute();
		expect(audit.map((a) => a.action)).toEqual([
			'auth.password_ok',
			'auth.totp_enrolled',
			'auth.login'
		]);
	});

	it('accepts a code once (no replay within its window), a recovery code once, and no enrolment over an existing key', async () => {
		const now = new Date();
		const staff = await enrolled(db(), now);
		const later = new Date(now.getTime() + 60_000);
		const code = totpCode(staff.secret, stepAt(later));
		const a = pendingOf(await login(db(), staff.email, PASSWORD, '10.5.2.1', null, later));
		expect(a.enrol).toBe(false);
		// An enrolment with a key of the attacker's choosing is refused once the account has one.
		await expect(
			completeEnrolment(db(), a.pendingToken, code, '10.5.2.1', later)
		).rejects.toMatchObject({ code: 'pending_expired' });
		const session = await completeSecondFactor(db(), a.pendingToken, code, '10.5.2.1', later);
		expect((await validateSessionToken(db(), session.token, later))?.userId).toBe(staff.id);

		const b = pendingOf(await login(db(), staff.email, PASSWORD, '10.5.2.2', null, later));
		await expect(
			completeSecondFactor(db(), b.pendingToken, code, '10.5.2.2', later)
		).rejects.toMatchObject({ code: 'bad_code' });
		// The code of the previous step is older than the one used: refused too.
		await expect(
			completeSecondFactor(
				db(),
				b.pendingToken,
				totpCode(staff.secret, stepAt(later) - 1),
				'10.5.2.2',
				later
			)
		).rejects.toMatchObject({ code: 'bad_code' });
		await completeSecondFactor(
			db(),
			b.pendingToken,
			staff.recoveryCodes[0].toUpperCase(),
			'10.5.2.2',
			later
		);

		const c = pendingOf(await login(db(), staff.email, PASSWORD, '10.5.2.3', null, later));
		await expect(
			completeSecondFactor(db(), c.pendingToken, staff.recoveryCodes[0], '10.5.2.3', later)
		).rejects.toMatchObject({ code: 'bad_code' });
	});

	it('renews the recovery codes with a code from the app: ten new ones work, the old ones and a recovery code as proof do not', async () => {
		const now = new Date();
		const staff = await enrolled(db(), now);
		const later = new Date(now.getTime() + 60_000);
		await expect(
			renewRecoveryCodes(
				db(),
				{ userId: staff.id, kind: 'staff', ip: '10.5.6.1' },
				staff.recoveryCodes[1],
				later
			)
		).rejects.toMatchObject({ code: 'bad_code' });
		const fresh = await renewRecoveryCodes(
			db(),
			{ userId: staff.id, kind: 'staff', ip: '10.5.6.1' },
			totpCode(staff.secret, stepAt(later)),
			later
		);
		expect(fresh).toHaveLength(10);
		expect(fresh).not.toContain(staff.recoveryCodes[1]);
		const old = pendingOf(await login(db(), staff.email, PASSWORD, '10.5.6.2', null, later));
		await expect(
			completeSecondFactor(db(), old.pendingToken, staff.recoveryCodes[1], '10.5.6.2', later)
		).rejects.toMatchObject({ code: 'bad_code' });
		const session = await completeSecondFactor(db(), old.pendingToken, fresh[0], '10.5.6.2', later);
		expect((await validateSessionToken(db(), session.token, later))?.userId).toBe(staff.id);
		const audit = await db()
			.selectFrom('audit_event')
			.select('action')
			.where('actor_user_id', '=', staff.id)
			.where('action', '=', 'auth.recovery_codes_renewed')
			.execute();
		expect(audit).toHaveLength(1);
	});

	it('lets the same code through only once when it is sent twice at the same moment', async () => {
		const now = new Date();
		const staff = await enrolled(db(), now);
		const later = new Date(now.getTime() + 90_000);
		const a = pendingOf(await login(db(), staff.email, PASSWORD, '10.5.3.1', null, later));
		const tokens = [a.pendingToken];
		// Two tabs of one pending sign-in.
		const results = await Promise.allSettled(
			tokens
				.concat(tokens)
				.map((t) =>
					completeSecondFactor(db(), t, totpCode(staff.secret, stepAt(later)), '10.5.3.1', later)
				)
		);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
	});

	it('stops guessing: after 5 wrong codes even the right one is refused until the window ends', async () => {
		const now = new Date();
		const staff = await enrolled(db(), now);
		const later = new Date(now.getTime() + 120_000);
		const a = pendingOf(await login(db(), staff.email, PASSWORD, '10.5.4.1', null, later));
		const right = totpCode(staff.secret, stepAt(later));
		const wrong = right === '123456' ? '654321' : '123456';
		for (let i = 0; i < 5; i++)
			await expect(
				completeSecondFactor(db(), a.pendingToken, wrong, '10.5.4.1', later)
			).rejects.toMatchObject({ code: 'bad_code' });
		await expect(
			completeSecondFactor(db(), a.pendingToken, right, '10.5.4.1', later)
		).rejects.toMatchObject({ code: 'throttled' });
	});

	it('counts 100 parallel wrong passwords before checking them: at most 5 are verified', async () => {
		const staff = await newStaff(db());
		let verified = 0;
		const counting = (hash: string, password: string) => {
			verified += 1;
			return verifyPassword(hash, password);
		};
		const now = new Date();
		const results = await Promise.allSettled(
			Array.from({ length: 100 }, (_, i) =>
				login(db(), staff.email, `wrong password ${i}`, '10.5.5.1', null, now, counting)
			)
		);
		expect(verified).toBeLessThanOrEqual(5);
		expect(verified).toBeGreaterThan(0);
		expect(results.every((r) => r.status === 'rejected')).toBe(true);
		const codes = results.map((r) => (r as PromiseRejectedResult).reason.code);
		expect(codes.filter((c) => c === 'throttled').length).toBeGreaterThanOrEqual(95);
		// A right password in the same window is not checked either.
		await expect(
			login(db(), staff.email, PASSWORD, '10.5.5.1', null, now, counting)
		).rejects.toMatchObject({ code: 'throttled' });
		expect(verified).toBeLessThanOrEqual(5);
	});
});

describeEachEngine('staff sessions', ({ db }) => {
	it('end after 20 minutes without a request (STAFF_IDLE_MINUTES), and not while the person is active', async () => {
		const t0 = new Date();
		const staff = await enrolled(db(), t0);
		const min = (m: number) => new Date(t0.getTime() + m * 60_000);
		const token = staff.session.token;
		expect(staffIdleMs({})).toBe(20 * 60_000);
		expect(staffIdleMs({ STAFF_IDLE_MINUTES: '5' })).toBe(5 * 60_000);
		expect(await validateSessionToken(db(), token, min(15))).not.toBeNull();
		expect(await validateSessionToken(db(), token, min(34))).not.toBeNull();
		expect(await validateSessionToken(db(), token, min(54.5))).toBeNull();
		expect(
			await db().selectFrom('user_session').select('id').where('user_id', '=', staff.id).execute()
		).toEqual([]);
	});

	it('still end at the 12-hour cap for someone active all day', async () => {
		const t0 = new Date();
		const staff = await enrolled(db(), t0);
		for (let m = 10; m < 12 * 60; m += 10)
			expect(
				await validateSessionToken(db(), staff.session.token, new Date(t0.getTime() + m * 60_000))
			).not.toBeNull();
		expect(
			await validateSessionToken(
				db(),
				staff.session.token,
				new Date(t0.getTime() + 12 * 60 * 60_000)
			)
		).toBeNull();
	});

	it('end at once when an administrator disables the account, audited in the same transaction; enabled again, the person can sign in', async () => {
		const now = new Date();
		await newStaff(db(), ['admin']);
		const staff = await enrolled(db(), now);
		expect(await validateSessionToken(db(), staff.session.token, now)).not.toBeNull();
		const { endedSessions } = await setAccountDisabled(db(), admin, staff.id, true, now);
		expect(endedSessions).toBe(1);
		expect(await validateSessionToken(db(), staff.session.token, now)).toBeNull();
		await expect(login(db(), staff.email, PASSWORD, '10.6.0.1', null, now)).rejects.toMatchObject({
			code: 'bad_credentials'
		});
		const audit = await db()
			.selectFrom('audit_event')
			.select(['action', 'details'])
			.where('subject', '=', `user:${staff.id}`)
			.where('action', 'like', 'admin.account_%')
			.execute();
		expect(audit).toEqual([{ action: 'admin.account_disabled', details: { endedSessions: 1 } }]);
		await setAccountDisabled(db(), admin, staff.id, false, now);
		expect(pendingOf(await login(db(), staff.email, PASSWORD, '10.6.0.1', null, now)).enrol).toBe(
			false
		);
	});

	it('lets an administrator reset a lost second factor with a reason: the person enrols again', async () => {
		const now = new Date();
		const staff = await enrolled(db(), now);
		await expect(resetSecondFactor(db(), admin, staff.id, '  ')).rejects.toMatchObject({
			code: 'reason_required'
		});
		await resetSecondFactor(db(), admin, staff.id, 'Telefoon kwijt, gemeld bij servicedesk');
		expect(await validateSessionToken(db(), staff.session.token, now)).toBeNull();
		expect(
			await db().selectFrom('recovery_code').select('id').where('user_id', '=', staff.id).execute()
		).toEqual([]);
		expect(pendingOf(await login(db(), staff.email, PASSWORD, '10.6.1.1', null, now)).enrol).toBe(
			true
		);
		const row = await db()
			.selectFrom('audit_event')
			.select(['reason', 'details'])
			.where('action', '=', 'admin.second_factor_reset')
			.where('subject', '=', `user:${staff.id}`)
			.executeTakeFirstOrThrow();
		expect(row).toEqual({
			reason: 'Telefoon kwijt, gemeld bij servicedesk',
			details: { hadKey: true, endedSessions: 1 }
		});
	});

	it('writes the audit row of login and logout in the same transaction as the session', async () => {
		const staff = await newStaff(db());
		// An applicant-like account without a second factor: a staff account with no roles.
		await db().deleteFrom('user_role').where('user_id', '=', staff.id).execute();
		const session = sessionOf(await login(db(), staff.email, PASSWORD, '10.6.2.1', null));
		await sql`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$`.execute(
			db()
		);
		await sql`create trigger refuse_audit before insert on audit_event for each row execute function refuse_audit()`.execute(
			db()
		);
		try {
			const sessions = async () =>
				(
					await db()
						.selectFrom('user_session')
						.select('id')
						.where('user_id', '=', staff.id)
						.execute()
				).length;
			await expect(login(db(), staff.email, PASSWORD, '10.6.2.1', null)).rejects.toThrow(
				/audit refused/
			);
			expect(await sessions()).toBe(1);
			const id = (await validateSessionToken(db(), session.token))!.sessionId;
			await expect(
				logout(db(), id, { userId: staff.id, role: 'staff', ip: '10.6.2.1' })
			).rejects.toThrow(/audit refused/);
			expect(await sessions()).toBe(1);
		} finally {
			await sql`drop trigger refuse_audit on audit_event`.execute(db());
			await sql`drop function refuse_audit()`.execute(db());
		}
	});
});

/** Records each statement's kind and tables, to compare the paths of two calls. */
class StatementLog implements KyselyPlugin {
	readonly statements: string[] = [];
	transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
		const tables = [
			...JSON.stringify(node).matchAll(
				/"identifier":\{"kind":"IdentifierNode","name":"([a-z_]+)"\}\}/g
			)
		].map((m) => m[1]);
		this.statements.push(`${node.kind} ${[...new Set(tables)].join(',')}`);
		return node;
	}
	async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
		return result;
	}
}

describeEachEngine('password reset requests', ({ db }) => {
	it('take the same statements whether or not the account exists', async () => {
		const staff = await newStaff(db());
		const known = new StatementLog();
		const unknown = new StatementLog();
		await requestPasswordReset(
			db().withPlugin(known),
			staff.email,
			'https://portal.example',
			'en',
			'10.7.0.1'
		);
		await requestPasswordReset(
			db().withPlugin(unknown),
			`nobody-${randomUUID()}@example.test`,
			'https://portal.example',
			'en',
			'10.7.0.2'
		);
		expect(known.statements.length).toBeGreaterThan(3);
		expect(unknown.statements).toEqual(known.statements);
	});

	it('are limited per address and per IP, and a new link retires the older ones', async () => {
		const staff = await newStaff(db());
		const now = new Date();
		for (let i = 0; i < 3; i++)
			await requestPasswordReset(
				db(),
				staff.email,
				'https://portal.example',
				'en',
				`10.7.1.${i}`,
				now
			);
		await expect(
			requestPasswordReset(db(), staff.email, 'https://portal.example', 'en', '10.7.1.9', now)
		).rejects.toMatchObject({ code: 'reset_throttled' });
		for (let i = 0; i < 20; i++)
			await requestPasswordReset(
				db(),
				`n${i}-${randomUUID()}@example.test`,
				'https://portal.example',
				'en',
				'10.7.2.1',
				now
			);
		await expect(
			requestPasswordReset(
				db(),
				`late-${randomUUID()}@example.test`,
				'https://portal.example',
				'en',
				'10.7.2.1',
				now
			)
		).rejects.toMatchObject({ domain: 'auth', code: 'reset_throttled' });

		const mails = await db()
			.selectFrom('email_outbox')
			.select('body_text')
			.where('to_address', '=', staff.email)
			.orderBy('id')
			.execute();
		const tokens = mails.map(
			(m) => /https:\/\/portal\.example\/auth\/reset\/([a-z0-9]+)/.exec(m.body_text)![1]
		);
		expect(tokens).toHaveLength(3);
		await expect(
			resetPassword(db(), tokens[0], 'a brand new long password', '10.7.1.1')
		).rejects.toMatchObject({ code: 'reset_invalid' });
		await expect(
			resetPassword(db(), tokens[1], 'a brand new long password', '10.7.1.1')
		).rejects.toMatchObject({ code: 'reset_invalid' });
		await resetPassword(db(), tokens[2], 'a brand new long password', '10.7.1.1');
	});

	it('show no usable link in the outbox outside demo mode', async () => {
		const staff = await newStaff(db());
		await requestPasswordReset(db(), staff.email, 'https://portal.example', 'en', '10.7.3.1');
		const full = (await findOutbox(db(), 50, true)).find((m) => m.to === staff.email)!;
		const token = /\/auth\/reset\/([a-z0-9]+)/.exec(full.body!)![1];
		const shown = (await findOutbox(db(), 50, false)).find((m) => m.to === staff.email)!;
		expect(shown.body).toBeTruthy();
		expect(shown.body).not.toContain(token);
		expect(shown.body).not.toMatch(/\/auth\/reset\/[a-z0-9]/);
		expect(shown.redacted).toBe(true);
	});
});

describe('links and cookies', () => {
	it('build reset links from ORIGIN, never from a forged Host header', () => {
		const forged = new URL('http://evil.example/auth/reset');
		expect(publicOrigin(forged, { ORIGIN: 'https://portal.example' })).toBe(
			'https://portal.example'
		);
		expect(() => publicOrigin(forged, { NODE_ENV: 'production' })).toThrow(/ORIGIN/);
		expect(
			publicOrigin(new URL('http://localhost:5173/auth/reset'), { NODE_ENV: 'development' })
		).toBe('http://localhost:5173');
	});

	it('name the session cookie __Host-session over https: Secure, Path=/, no Domain, HttpOnly', () => {
		const set: { name: string; value: string; options: Record<string, unknown> }[] = [];
		const cookies = {
			set: (name: string, value: string, options: Record<string, unknown>) =>
				set.push({ name, value, options })
		} as never;
		setSessionCookie(cookies, 'token', new Date(Date.now() + 60_000), true);
		expect(set[0].name).toBe('__Host-session');
		expect(set[0].options).toMatchObject({
			secure: true,
			path: '/',
			httpOnly: true,
			sameSite: 'lax'
		});
		expect(set[0].options).not.toHaveProperty('domain');
		expect(sessionCookieName(false)).toBe('session');
	});

	it('define demo mode once: embedded database outside production, or DEMO_MODE=on', () => {
		expect(isDemoMode({})).toBe(true);
		expect(isDemoMode({ NODE_ENV: 'production' })).toBe(false);
		expect(isDemoMode({ DATABASE_URL: 'postgres://x/y' })).toBe(false);
		expect(isDemoMode({ NODE_ENV: 'production', DEMO_MODE: 'on' })).toBe(true);
		expect(isDemoMode({ DEMO_MODE: 'off' })).toBe(false);
	});

	it('give each demo account a fixed base32 TOTP secret', () => {
		expect(demoTotpSecret('admin@demo.test')).toMatch(/^[A-Z2-7]{32}$/);
		expect(demoTotpSecret('admin@demo.test')).toBe(demoTotpSecret('Admin@demo.test'));
		expect(demoTotpSecret('admin@demo.test')).not.toBe(demoTotpSecret('planner@demo.test'));
	});
});
