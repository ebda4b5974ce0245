/**
 * Every refusal of the auth services is a DomainError of the `auth` catalogue, and the one mapping
 * (formFailure) turns it into the status, field and message each sign-in page showed before the
 * pages stopped building their own failures.
 */
import { expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { completeSecondFactor, login } from '$lib/server/auth/login.service';
import {
	disableTotp,
	enableTotp,
	renewRecoveryCodes
} from '$lib/server/auth/second-factor.service';
import { requestPasswordReset, resetPassword } from '$lib/server/auth/password-reset.service';
import { newTotpSecret, stepAt, totpCode } from '$lib/server/auth/totp';
import { DomainError } from '$lib/server/errors';
import { formFailure } from '$lib/server/http/errors';
import { describeEachEngine } from '../helpers/engines';
import { PASSWORD, enrolled, pendingOf } from './fixtures';

/** A wrong one-time code, as the form shows it: at the code field. */
const badCodeAtCodeField = {
	domain: 'auth',
	code: 'bad_code',
	status: 400,
	field: 'code',
	key: 'auth:errors.bad_code'
};

/** The refusal as the form shows it: status, field, message key and its parameters. */
async function shownAs(attempt: Promise<unknown>, form = new FormData()) {
	const err = await attempt.then(
		() => {
			throw new Error('expected a refusal');
		},
		(e: unknown) => e
	);
	if (!(err instanceof DomainError)) throw err;
	const failure = formFailure(err, form);
	expect(failure.data.errors).toHaveLength(1);
	return { domain: err.domain, code: err.code, status: failure.status, ...failure.data.errors[0] };
}

function wrongCode(secret: string, now: Date) {
	return totpCode(secret, stepAt(now)) === '000000' ? '111111' : '000000';
}

describeEachEngine('refusals of the sign-in pages', ({ db }) => {
	it('login: a wrong password is 400 at the e-mail field; the sixth in a window is 429 with the time to retry', async () => {
		const email = `nobody-${randomUUID()}@example.test`;
		const now = new Date();
		const form = new FormData();
		form.set('email', email);
		form.set('password', 'wrong');
		for (let i = 0; i < 5; i++)
			expect(await shownAs(login(db(), email, 'wrong', '10.9.1.1', null, now), form)).toEqual({
				domain: 'auth',
				code: 'bad_credentials',
				status: 400,
				field: 'email',
				key: 'auth:errors.bad_credentials'
			});
		const throttled = await shownAs(login(db(), email, 'wrong', '10.9.1.1', null, now), form);
		expect(throttled).toMatchObject({
			code: 'throttled',
			status: 429,
			field: 'email',
			key: 'auth:errors.throttled'
		});
		expect(new Date(String(throttled.params?.time)).getTime()).toBeGreaterThan(now.getTime());
	});

	it('second step: a wrong code is 400 at the code field; a right one names the person who signed in', async () => {
		const now = new Date();
		const planner = await enrolled(db(), now, '10.9.0.1');
		expect(planner.session.principal).toMatchObject({
			id: planner.id,
			email: planner.email,
			kind: 'staff',
			roles: [expect.objectContaining({ role: 'planner' })]
		});
		const later = new Date(now.getTime() + 60_000);
		const first = pendingOf(await login(db(), planner.email, PASSWORD, '10.9.2.1', null, later));
		expect(
			await shownAs(
				completeSecondFactor(
					db(),
					first.pendingToken,
					wrongCode(planner.secret, later),
					'10.9.2.1',
					later
				)
			)
		).toEqual(badCodeAtCodeField);
		const done = await completeSecondFactor(
			db(),
			first.pendingToken,
			totpCode(planner.secret, stepAt(later)),
			'10.9.2.1',
			later
		);
		expect(done.principal).toMatchObject({ id: planner.id, roles: [{ role: 'planner' }] });
		// The cookie of a finished sign-in is refused with the one code the pages turn into a redirect.
		await expect(
			completeSecondFactor(db(), first.pendingToken, '123456', '10.9.2.1', later)
		).rejects.toMatchObject({ domain: 'auth', code: 'pending_expired', kind: 'gone' });
	});

	it('security page: a key that newTotpSecret did not make is refused at the code field, even with its right code', async () => {
		const now = new Date();
		const planner = await enrolled(db(), now, '10.9.0.1');
		const who = { userId: planner.id, kind: 'staff' as const, ip: '10.9.4.1' };
		// Lower case is valid base32 for an authenticator app, but not a key this portal hands out.
		const foreign = newTotpSecret().toLowerCase();
		expect(
			await shownAs(enableTotp(db(), who, foreign, totpCode(foreign, stepAt(now)), now))
		).toEqual(badCodeAtCodeField);
	});

	it('security page: a wrong renewal code is shown at its own field; a role that needs the second step cannot switch it off (403)', async () => {
		const now = new Date();
		const planner = await enrolled(db(), now, '10.9.0.1');
		const later = new Date(now.getTime() + 60_000);
		expect(
			await shownAs(
				renewRecoveryCodes(
					db(),
					{ userId: planner.id, kind: 'staff', ip: '10.9.3.1' },
					wrongCode(planner.secret, later),
					later
				)
			)
		).toMatchObject({ code: 'bad_code', status: 400, field: 'renew_code' });
		expect(
			await shownAs(
				disableTotp(
					db(),
					{ userId: planner.id, kind: 'staff', ip: '10.9.3.1' },
					totpCode(planner.secret, stepAt(later)),
					later
				)
			)
		).toEqual({
			domain: 'auth',
			code: 'totp_required',
			status: 403,
			field: 'code',
			key: 'auth:errors.totp_required'
		});
		// Nothing was removed.
		expect(
			await db()
				.selectFrom('user_totp')
				.select('user_id')
				.where('user_id', '=', planner.id)
				.execute()
		).toHaveLength(1);
	});

	it('password reset: too many requests are 429 at the e-mail field with their own message; a dead link is 400 at the password', async () => {
		const address = `reset-${randomUUID()}@example.test`;
		const now = new Date();
		for (let i = 0; i < 3; i++)
			await requestPasswordReset(db(), address, 'https://portal.example', 'en', '10.9.4.1', now);
		expect(
			await shownAs(
				requestPasswordReset(db(), address, 'https://portal.example', 'en', '10.9.4.2', now)
			)
		).toMatchObject({
			domain: 'auth',
			code: 'reset_throttled',
			status: 429,
			field: 'email',
			key: 'auth:errors.reset_throttled',
			params: { time: expect.any(String) }
		});
		expect(await shownAs(resetPassword(db(), 'no-such-token', PASSWORD, '10.9.4.3'))).toEqual({
			domain: 'auth',
			code: 'reset_invalid',
			status: 400,
			field: 'password',
			key: 'auth:errors.activation_failed'
		});
	});
});
