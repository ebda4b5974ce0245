import type { Actions } from './$types';
import { db } from '$lib/server/db';
import { requestPasswordReset } from '$lib/server/auth/password-reset.service';
import { resetRequestSchema } from '$lib/server/auth/auth.validation';
import { publicOrigin } from '$lib/server/auth/origin';
import { submitForm } from '$lib/server/http/errors';
import { nudgeEmail } from '$lib/server/app';

export const actions: Actions = {
	default: async ({ request, locals, url, getClientAddress }) =>
		submitForm(await request.formData(), resetRequestSchema, async ({ email }) => {
			await requestPasswordReset(db, email, publicOrigin(url), locals.lang, getClientAddress());
			await nudgeEmail();
			return { sent: true };
		})
};
