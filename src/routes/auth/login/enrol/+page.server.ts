import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { completeEnrolment, enrolmentSecret } from '$lib/server/auth/login.service';
import { enrolSchema } from '$lib/server/auth/second-factor.validation';
import { finishSecondStep, requirePendingLogin } from '$lib/server/auth/second-step';
import { landingPath } from '$lib/server/auth/access';
import { groupSecret, totpQrSvg } from '$lib/server/auth/totp';
import { submitForm } from '$lib/server/http/errors';

export const load: PageServerLoad = async ({ cookies, url, locals }) => {
	// Once enrolled, the page shows the recovery codes of the action's answer; nothing to load.
	if (locals.user) return { enrolment: null };
	const pending = await requirePendingLogin(db, cookies, url);
	if (pending.hasTotp) redirect(303, `/auth/login/verify${url.search}`);
	const secret = await enrolmentSecret(db, pending);
	return { enrolment: { qr: await totpQrSvg(secret, pending.email), secret: groupSecret(secret) } };
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) =>
		submitForm(await request.formData(), enrolSchema, async ({ code }) => {
			const result = await finishSecondStep(cookies, url, (token) =>
				completeEnrolment(db, token, code, getClientAddress())
			);
			// Shown once, in this answer; never stored readable.
			return {
				recoveryCodes: result.recoveryCodes,
				next: landingPath(result.principal, url.searchParams.get('next'), url.origin)
			};
		})
};
