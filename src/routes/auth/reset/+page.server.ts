import type { Actions } from './$types';
import { db } from '$lib/server/db';
import { authErrors, requestPasswordReset } from '$lib/server/auth/account.service';
import { resetRequestSchema } from '$lib/server/auth/auth.validation';
import { publicOrigin } from '$lib/server/auth/origin';
import { formFailure, parseForm } from '$lib/validation/form';
import { nudgeEmail } from '$lib/server/app';

export const actions: Actions = {
	default: async ({ request, locals, url, getClientAddress }) => {
		const form = await request.formData();
		const parsed = parseForm(resetRequestSchema, form);
		if (!parsed.ok) return formFailure(400, form, parsed.errors);
		try {
			await requestPasswordReset(
				db,
				parsed.data.email,
				publicOrigin(url),
				locals.lang,
				getClientAddress()
			);
		} catch (error) {
			if (!authErrors.is(error) || error.code !== 'throttled') throw error;
			return formFailure(429, form, [
				{
					field: 'email',
					key: 'auth:errors.reset_throttled',
					params: { time: error.retryAt!.toISOString() }
				}
			]);
		}
		await nudgeEmail();
		return { sent: true };
	}
};
