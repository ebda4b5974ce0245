import { redirect } from '@sveltejs/kit';
import type { Actions } from './$types';
import { db } from '$lib/server/db';
import { activateAccount } from '$lib/server/auth/activation.service';
import { activationSchema } from '$lib/server/auth/auth.validation';
import { submitForm } from '$lib/server/http/errors';

export const actions: Actions = {
	default: async ({ request, locals, getClientAddress }) =>
		submitForm(await request.formData(), activationSchema, async (input) => {
			await activateAccount(db, { ...input, language: locals.lang }, getClientAddress());
			redirect(303, '/auth/login?activated=done');
		})
};
