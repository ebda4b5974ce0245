import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { completeSecondFactor } from '$lib/server/auth/login.service';
import { secondFactorSchema } from '$lib/server/auth/second-factor.validation';
import { finishSecondStep, requirePendingLogin } from '$lib/server/auth/second-step';
import { landingPath } from '$lib/server/auth/access';
import { submitForm } from '$lib/server/http/errors';

export const load: PageServerLoad = async ({ cookies, url }) => {
	const pending = await requirePendingLogin(db, cookies, url);
	if (!pending.hasTotp) redirect(303, `/auth/login/enrol${url.search}`);
	return {};
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) =>
		submitForm(await request.formData(), secondFactorSchema, async ({ code }) => {
			const session = await finishSecondStep(cookies, url, (token) =>
				completeSecondFactor(db, token, code, getClientAddress())
			);
			redirect(303, landingPath(session.principal, url.searchParams.get('next'), url.origin));
		})
};
