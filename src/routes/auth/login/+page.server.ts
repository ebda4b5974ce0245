import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { landingPath } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { authErrors, login } from '$lib/server/auth/account.service';
import { loginSchema } from '$lib/server/auth/auth.validation';
import { setPendingCookie, setSessionCookie } from '$lib/server/auth/session';
import { findRoles } from '$lib/server/auth/user.repository';
import { formFailure, parseForm } from '$lib/validation/form';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user)
		redirect(303, landingPath(locals.user, url.searchParams.get('next'), url.origin));
	return {
		reset: url.searchParams.get('reset') === 'done',
		activated: url.searchParams.get('activated') === 'done',
		expired: url.searchParams.get('expired') === 'second_factor'
	};
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const form = await request.formData();
		const parsed = parseForm(loginSchema, form);
		if (!parsed.ok) return formFailure(400, form, parsed.errors);
		const secure = url.protocol === 'https:';
		const next = url.searchParams.get('next');
		try {
			const result = await login(
				db,
				parsed.data.email,
				parsed.data.password,
				getClientAddress(),
				request.headers.get('user-agent')
			);
			if (result.kind === 'second_factor') {
				setPendingCookie(cookies, result.pendingToken, result.expiresAt, secure);
				const step = result.enrol ? '/auth/login/enrol' : '/auth/login/verify';
				redirect(303, next ? `${step}?next=${encodeURIComponent(next)}` : step);
			}
			const { user } = result;
			setSessionCookie(cookies, result.token, result.expiresAt, secure);
			const principal = {
				id: user.id,
				email: user.email,
				displayName: user.display_name,
				kind: user.kind,
				applicantId: user.applicant_id,
				roles: await findRoles(db, user.id)
			};
			redirect(303, landingPath(principal, next, url.origin));
		} catch (error) {
			if (!authErrors.is(error)) throw error;
			if (error.code === 'throttled') {
				return formFailure(429, form, [
					{
						field: 'email',
						key: 'auth:errors.throttled',
						params: { time: error.retryAt!.toISOString() }
					}
				]);
			}
			return formFailure(400, form, [{ field: 'email', key: 'auth:errors.bad_credentials' }]);
		}
	}
};
