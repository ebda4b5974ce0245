import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { landingPath } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { AuthError, login } from '$lib/server/auth/account.service';
import { loginSchema } from '$lib/server/auth/auth.validation';
import { setSessionCookie } from '$lib/server/auth/session';
import { findRoles } from '$lib/server/auth/user.repository';
import { formFailure, parseForm } from '$lib/validation/form';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, landingPath(locals.user, url.searchParams.get('next'), url.origin));
	return { reset: url.searchParams.get('reset') === 'done', activated: url.searchParams.get('activated') === 'done' };
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const form = await request.formData();
		const parsed = parseForm(loginSchema, form);
		if (!parsed.ok) return formFailure(400, form, parsed.errors);
		try {
			const { token, expiresAt, user } = await login(db, parsed.data.email, parsed.data.password, getClientAddress(), request.headers.get('user-agent'));
			setSessionCookie(cookies, token, expiresAt, url.protocol === 'https:');
			const principal = { id: user.id, email: user.email, displayName: user.display_name, kind: user.kind, applicantId: user.applicant_id, roles: await findRoles(db, user.id) };
			redirect(303, landingPath(principal, url.searchParams.get('next'), url.origin));
		} catch (error) {
			if (!(error instanceof AuthError)) throw error;
			if (error.code === 'throttled') {
				return formFailure(429, form, [{ field: 'email', key: 'auth:errors.throttled', params: { time: error.retryAt!.toISOString() } }]);
			}
			return formFailure(400, form, [{ field: 'email', key: 'auth:errors.bad_credentials' }]);
		}
	}
};
