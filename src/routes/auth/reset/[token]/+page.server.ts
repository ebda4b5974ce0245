import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { isResetTokenUsable, resetPassword } from '$lib/server/auth/password-reset.service';
import { resetSchema } from '$lib/server/auth/auth.validation';
import { submitForm } from '$lib/server/http/errors';

export const load: PageServerLoad = async ({ params }) => {
	return { usable: await isResetTokenUsable(db, params.token) };
};

export const actions: Actions = {
	default: async ({ request, params, getClientAddress }) =>
		submitForm(await request.formData(), resetSchema, async ({ password }) => {
			await resetPassword(db, params.token, password, getClientAddress());
			redirect(303, '/auth/login?reset=done');
		})
};
