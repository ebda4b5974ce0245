import { redirect } from '@sveltejs/kit';
import type { Actions } from './$types';
import { db } from '$lib/server/db';
import { activateAccount, AuthError } from '$lib/server/auth/account.service';
import { activationSchema } from '$lib/server/auth/auth.validation';
import { formFailure, parseForm } from '$lib/validation/form';

export const actions: Actions = {
	default: async ({ request, locals, getClientAddress }) => {
		const form = await request.formData();
		const parsed = parseForm(activationSchema, form);
		if (!parsed.ok) return formFailure(400, form, parsed.errors);
		try {
			await activateAccount(db, { ...parsed.data, language: locals.lang }, getClientAddress());
		} catch (error) {
			if (!(error instanceof AuthError)) throw error;
			if (error.code === 'throttled')
				return formFailure(429, form, [
					{
						field: 'code',
						key: 'auth:errors.throttled',
						params: { time: error.retryAt!.toISOString() }
					}
				]);
			const field = ['too_short', 'too_long', 'too_common'].includes(error.code)
				? 'password'
				: error.code === 'email_taken'
					? 'email'
					: 'code';
			return formFailure(400, form, [{ field, key: `auth:errors.${error.code}` }]);
		}
		redirect(303, '/auth/login?activated=done');
	}
};
