import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { authErrors, isResetTokenUsable, resetPassword } from '$lib/server/auth/account.service';
import { resetSchema } from '$lib/server/auth/auth.validation';
import { formFailure, parseForm } from '$lib/validation/form';

export const load: PageServerLoad = async ({ params }) => {
	return { usable: await isResetTokenUsable(db, params.token) };
};

export const actions: Actions = {
	default: async ({ request, params, getClientAddress }) => {
		const form = await request.formData();
		const parsed = parseForm(resetSchema, form);
		if (!parsed.ok) return formFailure(400, form, parsed.errors);
		try {
			await resetPassword(db, params.token, parsed.data.password, getClientAddress());
		} catch (error) {
			if (!authErrors.is(error)) throw error;
			return formFailure(400, form, [
				{
					field: 'password',
					key: `auth:errors.${error.code === 'reset_invalid' ? 'activation_failed' : error.code}`
				}
			]);
		}
		redirect(303, '/auth/login?reset=done');
	}
};
