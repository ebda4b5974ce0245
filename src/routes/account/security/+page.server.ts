import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { requirePrincipal } from '$lib/server/auth/access';
import {
	authErrors,
	disableTotp,
	enableTotp,
	renewRecoveryCodes
} from '$lib/server/auth/account.service';
import { requiresSecondFactor } from '$lib/server/auth/session';
import {
	groupSecret,
	hasTotp,
	newTotpSecret,
	recoveryCodesLeft,
	totpQrSvg
} from '$lib/server/auth/totp';
import {
	enrolSchema,
	renewSchema,
	secondFactorSchema
} from '$lib/server/auth/second-factor.validation';
import { parseForm, type FieldError } from '$lib/validation/form';

export const load: PageServerLoad = async ({ locals }) => {
	const user = requirePrincipal(locals);
	const enrolled = await hasTotp(db, user.id);
	return {
		enrolled,
		required: requiresSecondFactor(user.roles),
		recoveryLeft: enrolled ? await recoveryCodesLeft(db, user.id) : 0
	};
};

async function setup(secret: string, email: string) {
	return { qr: await totpQrSvg(secret, email), secret, grouped: groupSecret(secret) };
}

function codeFailure(err: unknown): FieldError {
	const field = 'code';
	if (!authErrors.is(err)) throw err;
	if (err.code === 'throttled')
		return { field, key: 'auth:errors.throttled', params: { time: err.retryAt!.toISOString() } };
	return { field, key: 'auth:errors.bad_code' };
}

export const actions: Actions = {
	start: async ({ locals }) => {
		const user = requirePrincipal(locals);
		return { setup: await setup(newTotpSecret(), user.email) };
	},
	confirm: async ({ request, locals, getClientAddress }) => {
		const user = requirePrincipal(locals);
		const form = await request.formData();
		const secret = String(form.get('secret') ?? '');
		// The key travels in the form between the two steps; it is the person's own, and only
		// becomes the account's once a code made from it is entered.
		if (!/^[A-Z2-7]{32}$/.test(secret))
			return fail(400, {
				setup: await setup(newTotpSecret(), user.email),
				errors: [{ field: 'code', key: 'auth:errors.bad_code' }]
			});
		const parsed = parseForm(enrolSchema, form);
		if (!parsed.ok)
			return fail(400, { setup: await setup(secret, user.email), errors: parsed.errors });
		try {
			const recoveryCodes = await enableTotp(
				db,
				user.id,
				user.kind,
				secret,
				parsed.data.code,
				getClientAddress()
			);
			return { recoveryCodes };
		} catch (err) {
			return fail(400, { setup: await setup(secret, user.email), errors: [codeFailure(err)] });
		}
	},
	renew: async ({ request, locals, getClientAddress }) => {
		const user = requirePrincipal(locals);
		const form = await request.formData();
		const parsed = parseForm(renewSchema, form);
		if (!parsed.ok) return fail(400, { errors: parsed.errors });
		try {
			return {
				recoveryCodes: await renewRecoveryCodes(
					db,
					user.id,
					user.kind,
					parsed.data.renew_code,
					getClientAddress()
				)
			};
		} catch (err) {
			return fail(400, { errors: [{ ...codeFailure(err), field: 'renew_code' }] });
		}
	},
	disable: async ({ request, locals, getClientAddress }) => {
		const user = requirePrincipal(locals);
		if (requiresSecondFactor(user.roles))
			return fail(403, { errors: [{ field: 'code', key: 'auth:errors.totp_required' }] });
		const form = await request.formData();
		const parsed = parseForm(secondFactorSchema, form);
		if (!parsed.ok) return fail(400, { errors: parsed.errors });
		try {
			await disableTotp(db, user.id, user.kind, parsed.data.code, getClientAddress());
			return { disabled: true };
		} catch (err) {
			return fail(400, { errors: [codeFailure(err)] });
		}
	}
};
