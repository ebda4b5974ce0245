import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { landingPath } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { login } from '$lib/server/auth/login.service';
import { loginSchema } from '$lib/server/auth/auth.validation';
import { setPendingCookie, setSessionCookie } from '$lib/server/auth/session';
import { submitForm } from '$lib/server/http/errors';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user)
		redirect(303, landingPath(locals.user, url.searchParams.get('next'), url.origin));
	return {
		reset: url.searchParams.get('reset') === 'done',
		activated: url.searchParams.get('activated') === 'done',
		invited: url.searchParams.get('invited') === 'done',
		expired: url.searchParams.get('expired') === 'second_factor'
	};
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) =>
		submitForm(await request.formData(), loginSchema, async ({ email, password }) => {
			const secure = url.protocol === 'https:';
			const next = url.searchParams.get('next');
			const result = await login(
				db,
				email,
				password,
				getClientAddress(),
				request.headers.get('user-agent')
			);
			if (result.kind === 'second_factor') {
				setPendingCookie(cookies, result.pendingToken, result.expiresAt, secure);
				const step = result.enrol ? '/auth/login/enrol' : '/auth/login/verify';
				redirect(303, next ? `${step}?next=${encodeURIComponent(next)}` : step);
			}
			setSessionCookie(cookies, result.token, result.expiresAt, secure);
			redirect(303, landingPath(result.principal, next, url.origin));
		})
};
