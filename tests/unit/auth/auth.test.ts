import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { activateAccount } from '$lib/server/auth/activation.service';
import { login, type LoginResult } from '$lib/server/auth/login.service';
import { requestPasswordReset, resetPassword } from '$lib/server/auth/password-reset.service';
import { checkPasswordStrength } from '$lib/server/auth/password';
import { issueActivationLetter } from '$lib/server/auth/activation-letter.service';
import { API_SCOPES, createApiKey } from '$lib/server/api-keys/api-key.service';
import type { Db } from '$lib/server/db';
import { listSessions, validateSessionToken } from '$lib/server/auth/session';
import { ingestEvents } from '$lib/server/events/event.service';
import { describeEachEngine } from '../helpers/engines';
import { newReference, newVNumber } from '../helpers/factories';

const PASSWORD = 'correct horse battery staple';

/** A new activation letter for the case, as the case system asks for one: a new request id each time. */
async function issueActivationCode(db: Db, reference: string) {
	const { id } = await createApiKey(db, { label: 'letters', scopes: API_SCOPES });
	const result = await issueActivationLetter(db, {
		reference,
		requestId: randomUUID(),
		apiKeyId: id,
		actor: { userId: null, role: 'api', ip: null }
	});
	return result.letter;
}

function sessionOf(result: LoginResult) {
	if (result.kind !== 'session') throw new Error('expected a session, got a second step');
	return result;
}

describe('password rules', () => {
	it('asks for 12 characters and refuses common passwords, nothing else', () => {
		expect(checkPasswordStrength('short')).toBe('too_short');
		expect(checkPasswordStrength('password1234')).toBe('too_common');
		expect(checkPasswordStrength('aaaaaaaaaaaaaaa')).toBe('too_common');
		expect(checkPasswordStrength('lowercase only but long')).toBeNull();
		expect(checkPasswordStrength('مرحبا بالعالم الجميل')).toBeNull();
	});
});

/** A study case, submitted through the event API, whose applicant can activate an account. */
async function newCase(db: Db, vNumber = newVNumber(), birthDate = '1990-04-12') {
	const reference = newReference();
	const result = await ingestEvents(db, {
		events: [
			{
				id: randomUUID(),
				type: 'case.submitted',
				occurredAt: '2026-03-02T10:00:00+01:00',
				case: reference,
				data: {
					product: 'studie',
					vNumber,
					applicant: { name: 'Lin Wei', birthDate, language: 'en' }
				}
			}
		]
	});
	expect(result.ok).toBe(true);
	return { reference, vNumber, birthDate };
}

describeEachEngine('accounts', ({ db }) => {
	async function activated(email = `${randomUUID()}@example.test`) {
		const c = await newCase(db());
		const letter = (await issueActivationCode(db(), c.reference))!;
		await activateAccount(
			db(),
			{
				vNumber: c.vNumber,
				birthDate: c.birthDate,
				code: letter.code,
				email,
				password: PASSWORD,
				language: 'en'
			},
			'10.0.0.1'
		);
		return { ...c, email };
	}

	it('activates with V-number, birth date and the letter code, once', async () => {
		const c = await newCase(db());
		const letter = (await issueActivationCode(db(), c.reference))!;
		expect(letter.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
		const input = {
			vNumber: c.vNumber,
			birthDate: c.birthDate,
			code: letter.code.toLowerCase().replaceAll('-', ' '),
			email: `${randomUUID()}@example.test`,
			password: PASSWORD,
			language: 'en'
		};
		await activateAccount(db(), input, '10.0.0.2');
		await expect(
			activateAccount(db(), { ...input, email: `${randomUUID()}@example.test` }, '10.0.0.2')
		).rejects.toMatchObject({ code: 'activation_failed' });
	});

	it('refuses a wrong birth date, a replaced code and an expired code', async () => {
		const c = await newCase(db());
		const first = (await issueActivationCode(db(), c.reference))!;
		const second = (await issueActivationCode(db(), c.reference))!;
		const base = {
			vNumber: c.vNumber,
			birthDate: c.birthDate,
			email: `${randomUUID()}@example.test`,
			password: PASSWORD,
			language: 'nl'
		};
		await expect(
			activateAccount(db(), { ...base, code: first.code }, '10.0.0.3')
		).rejects.toMatchObject({ code: 'activation_failed' });
		await expect(
			activateAccount(db(), { ...base, code: second.code, birthDate: '1991-04-12' }, '10.0.0.3')
		).rejects.toMatchObject({ code: 'activation_failed' });
		const later = new Date(Date.now() + 31 * 24 * 60 * 60 * 1000);
		await expect(
			activateAccount(db(), { ...base, code: second.code }, '10.0.0.3', later)
		).rejects.toMatchObject({ code: 'activation_failed' });
		await activateAccount(db(), { ...base, code: second.code }, '10.0.0.3');
	});

	it('shows every case of one V-number under one account', async () => {
		const vNumber = newVNumber();
		const a = await newCase(db(), vNumber);
		const b = await newCase(db(), vNumber);
		const letter = (await issueActivationCode(db(), a.reference))!;
		const { userId } = await activateAccount(
			db(),
			{
				vNumber,
				birthDate: a.birthDate,
				code: letter.code,
				email: `${randomUUID()}@example.test`,
				password: PASSWORD,
				language: 'en'
			},
			'10.0.0.4'
		);
		const user = await db()
			.selectFrom('app_user')
			.select('applicant_id')
			.where('id', '=', userId)
			.executeTakeFirstOrThrow();
		const refs = await db()
			.selectFrom('case')
			.select('reference')
			.where('applicant_id', '=', user.applicant_id!)
			.execute();
		expect(refs.map((r) => r.reference).sort()).toEqual([a.reference, b.reference].sort());
		// A letter for the second case tells the case system the account exists already.
		expect((await issueActivationCode(db(), b.reference))!.alreadyActivated).toBe(true);
	});

	it('refuses a second account for an applicant before an address in use, and an address in use', async () => {
		const first = await activated();
		const second = await newCase(db(), first.vNumber, first.birthDate);
		const letter = (await issueActivationCode(db(), second.reference))!;
		const input = {
			vNumber: first.vNumber,
			birthDate: first.birthDate,
			code: letter.code,
			password: PASSWORD,
			language: 'en'
		};
		await expect(
			activateAccount(db(), { ...input, email: first.email }, '10.0.0.5')
		).rejects.toMatchObject({ code: 'already_activated' });
		await expect(
			activateAccount(db(), { ...input, email: `${randomUUID()}@example.test` }, '10.0.0.5')
		).rejects.toMatchObject({ code: 'already_activated' });
		const other = await newCase(db());
		const otherLetter = (await issueActivationCode(db(), other.reference))!;
		await expect(
			activateAccount(
				db(),
				{
					...input,
					vNumber: other.vNumber,
					birthDate: other.birthDate,
					code: otherLetter.code,
					email: ` ${first.email.toUpperCase()} `
				},
				'10.0.0.5'
			)
		).rejects.toMatchObject({ code: 'email_taken' });
	});

	it('refuses the 6th wrong password within 15 minutes, and lets the right one in after the window', async () => {
		const { email } = await activated();
		const t0 = new Date();
		for (let i = 0; i < 5; i++)
			await expect(
				login(db(), email, 'wrong password!!', '10.1.1.1', null, t0)
			).rejects.toMatchObject({ code: 'bad_credentials' });
		const sixth = login(db(), email, PASSWORD, '10.1.1.1', null, new Date(t0.getTime() + 60_000));
		await expect(sixth).rejects.toMatchObject({ domain: 'auth', code: 'throttled' });
		await expect(sixth).rejects.toMatchObject({ code: 'throttled' });
		// Someone else's failures do not lock the owner out from their own connection.
		await expect(
			login(db(), email, PASSWORD, '10.9.9.9', null, new Date(t0.getTime() + 60_000))
		).resolves.toMatchObject({ user: { email } });
		const after = await login(
			db(),
			email,
			PASSWORD,
			'10.1.1.1',
			null,
			new Date(t0.getTime() + 16 * 60_000)
		);
		expect(after.kind === 'session' && after.token).toBeTruthy();
	});

	it('gives a new session at each login and ends it on password reset', async () => {
		const { email } = await activated();
		const one = sessionOf(await login(db(), email, PASSWORD, '10.2.2.2', 'Firefox'));
		const two = sessionOf(await login(db(), email, PASSWORD, '10.2.2.2', 'Chrome'));
		expect(one.token).not.toBe(two.token);
		const session = await validateSessionToken(db(), one.token);
		expect(session?.email).toBe(email);
		expect(await listSessions(db(), session!.userId)).toHaveLength(2);

		await requestPasswordReset(db(), email, 'http://localhost', 'en', '10.2.2.2');
		const mail = await db()
			.selectFrom('email_outbox')
			.select('body_text')
			.where('to_address', '=', email)
			.executeTakeFirstOrThrow();
		const token = /\/auth\/reset\/([a-z0-9]+)/.exec(mail.body_text)![1];
		await resetPassword(db(), token, 'a brand new long password', '10.2.2.2');
		expect(await validateSessionToken(db(), one.token)).toBeNull();
		await expect(
			resetPassword(db(), token, 'another new long password', '10.2.2.2')
		).rejects.toMatchObject({ code: 'reset_invalid' });
		await expect(
			login(db(), email, 'a brand new long password', '10.2.2.2', null)
		).resolves.toBeTruthy();
	});

	it('does not send a reset link to an address without an account', async () => {
		await requestPasswordReset(db(), 'nobody@example.test', 'http://localhost', 'en', '10.3.3.3');
		expect(
			await db()
				.selectFrom('email_outbox')
				.select('id')
				.where('to_address', '=', 'nobody@example.test')
				.execute()
		).toEqual([]);
	});
});

describeEachEngine('administration', ({ db }) => {
	it('never leaves the portal without an administrator, and audits role changes', async () => {
		const { createStaffAccount, setStaffRoles } = await import('$lib/server/admin/admin.service');
		const { adminErrors } = await import('$lib/server/admin/admin.errors');
		const actor = { userId: null, role: 'admin' };
		const only = await createStaffAccount(db(), actor, {
			email: `admin-${randomUUID()}@example.test`,
			displayName: 'Only Admin',
			password: PASSWORD,
			roles: ['admin'],
			desk: null
		});
		await expect(setStaffRoles(db(), actor, only, ['planner'], null)).rejects.toSatisfy((e) =>
			adminErrors.is(e, 'last_admin')
		);
		const second = await createStaffAccount(db(), actor, {
			email: `admin-${randomUUID()}@example.test`,
			displayName: 'Second Admin',
			password: PASSWORD,
			roles: ['admin'],
			desk: null
		});
		await setStaffRoles(db(), actor, only, ['planner'], null);
		await expect(setStaffRoles(db(), actor, second, ['triage'], null)).rejects.toMatchObject({
			code: 'last_admin'
		});
		const changes = await db()
			.selectFrom('audit_event')
			.select('details')
			.where('action', '=', 'admin.roles_changed')
			.execute();
		expect(changes).toHaveLength(1);
		expect(changes[0].details).toMatchObject({ before: ['admin'], after: ['planner'] });
	});

	it('lets only one of two administrators take the role from the other at the same moment', async () => {
		const { createStaffAccount, setStaffRoles } = await import('$lib/server/admin/admin.service');
		const actor = { userId: null, role: 'admin' };
		await db().deleteFrom('user_role').where('role', '=', 'admin').execute();
		const ids = await Promise.all(
			[1, 2].map((i) =>
				createStaffAccount(db(), actor, {
					email: `pair-${i}-${randomUUID()}@example.test`,
					displayName: `Admin ${i}`,
					password: PASSWORD,
					roles: ['admin'],
					desk: null
				})
			)
		);
		const results = await Promise.allSettled([
			setStaffRoles(db(), actor, ids[0], ['triage'], null),
			setStaffRoles(db(), actor, ids[1], ['triage'], null)
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		expect(results.find((r) => r.status === 'rejected')).toMatchObject({
			reason: { code: 'last_admin' }
		});
		expect(
			await db().selectFrom('user_role').select('user_id').where('role', '=', 'admin').execute()
		).toHaveLength(1);
	});

	it('makes an activation code work once when two tabs send it at the same moment', async () => {
		const { reference, vNumber, birthDate } = await newCase(db());
		const { code } = (await issueActivationCode(db(), reference))!;
		const input = (email: string) => ({
			vNumber,
			birthDate,
			code,
			email,
			password: PASSWORD,
			language: 'en'
		});
		const results = await Promise.allSettled([
			activateAccount(db(), input(`tab1-${randomUUID()}@example.test`), '10.5.5.5'),
			activateAccount(db(), input(`tab2-${randomUUID()}@example.test`), '10.5.5.5')
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		expect(results.find((r) => r.status === 'rejected')).toMatchObject({
			reason: { code: 'activation_failed' }
		});
		const applicant = await db()
			.selectFrom('applicant')
			.select('id')
			.where('v_number', '=', vNumber)
			.executeTakeFirstOrThrow();
		expect(
			await db()
				.selectFrom('app_user')
				.select('id')
				.where('applicant_id', '=', applicant.id)
				.execute()
		).toHaveLength(1);
	});
});
