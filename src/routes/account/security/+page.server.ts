import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { requirePrincipal } from '$lib/server/auth/access';
import type { Principal } from '$lib/server/auth/principal';
import {
	disableTotp,
	enableTotp,
	renewRecoveryCodes,
	secondFactorStatus
} from '$lib/server/auth/second-factor.service';
import { groupSecret, isTotpSecret, newTotpSecret, totpQrSvg } from '$lib/server/auth/totp';
import {
	enrolSchema,
	renewSchema,
	secondFactorSchema
} from '$lib/server/auth/second-factor.validation';
import { submitForm } from '$lib/server/http/errors';

/** Codes and the new key are never echoed back as form values. */
const secrets = ['code', 'renew_code', 'secret'];

export const load: PageServerLoad = async ({ locals }) => {
	const user = requirePrincipal(locals);
	return secondFactorStatus(db, user.id);
};

async function setup(secret: string, email: string) {
	return { qr: await totpQrSvg(secret, email), secret, grouped: groupSecret(secret) };
}

const ownAccount = (user: Principal, ip: string) => ({ userId: user.id, kind: user.kind, ip });

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
		const result = await submitForm(
			form,
			enrolSchema,
			async ({ code }) => ({
				recoveryCodes: await enableTotp(db, ownAccount(user, getClientAddress()), secret, code)
			}),
			{ secrets }
		);
		// A refused code keeps the same key on screen, so the app's entry stays valid; a key that
		// was not ours is replaced.
		if ('recoveryCodes' in result) return result;
		const shown = isTotpSecret(secret) ? secret : newTotpSecret();
		return fail(result.status, { ...result.data, setup: await setup(shown, user.email) });
	},
	renew: async ({ request, locals, getClientAddress }) => {
		const user = requirePrincipal(locals);
		return submitForm(
			await request.formData(),
			renewSchema,
			async ({ renew_code }) => ({
				recoveryCodes: await renewRecoveryCodes(
					db,
					ownAccount(user, getClientAddress()),
					renew_code
				)
			}),
			{ secrets }
		);
	},
	disable: async ({ request, locals, getClientAddress }) => {
		const user = requirePrincipal(locals);
		return submitForm(
			await request.formData(),
			secondFactorSchema,
			async ({ code }) => {
				await disableTotp(db, ownAccount(user, getClientAddress()), code);
				return { disabled: true };
			},
			{ secrets }
		);
	}
};
