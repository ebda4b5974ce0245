import type { Actions } from './$types';
import { db } from '$lib/server/db';
import { requestPasswordReset } from '$lib/server/auth/account.service';
import { resetRequestSchema } from '$lib/server/auth/auth.validation';
import { formFailure, parseForm } from '$lib/validation/form';
import { nudgeEmail } from '$lib/server/app';

export const actions: Actions = {
	default: async ({ request, locals, url, getClientAddress }) => {
		const form = await request.formData();
		const parsed = parseForm(resetRequestSchema, form);
		if (!parsed.ok) return formFailure(400, form, parsed.errors);
		await requestPasswordReset(db, parsed.data.email, url.origin, locals.lang, getClientAddress());
		await nudgeEmail();
		return { sent: true };
	}
};
