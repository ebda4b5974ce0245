import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import {
	authErrors,
	completeSecondFactor,
	findPendingLogin
} from '$lib/server/auth/account.service';
import { secondFactorSchema } from '$lib/server/auth/second-factor.validation';
import { deletePendingCookie, pendingCookieName, setSessionCookie } from '$lib/server/auth/session';
import { findPrincipal } from '$lib/server/auth/user.repository';
import { landingPath } from '$lib/server/auth/access';
import { formFailure, parseForm } from '$lib/validation/form';

export const load: PageServerLoad = async ({ cookies, url }) => {
	const pending = await findPendingLogin(
		db,
		cookies.get(pendingCookieName(url.protocol === 'https:'))
	);
	if (!pending) redirect(303, '/auth/login?expired=second_factor');
	if (!pending.hasTotp) redirect(303, `/auth/login/enrol${url.search}`);
	return {};
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const form = await request.formData();
		const parsed = parseForm(secondFactorSchema, form);
		if (!parsed.ok) return formFailure(400, form, parsed.errors);
		const secure = url.protocol === 'https:';
		let userId: number;
		try {
			const session = await completeSecondFactor(
				db,
				cookies.get(pendingCookieName(secure)),
				parsed.data.code,
				getClientAddress()
			);
			setSessionCookie(cookies, session.token, session.expiresAt, secure);
			deletePendingCookie(cookies, secure);
			userId = session.userId;
		} catch (error) {
			if (!authErrors.is(error)) throw error;
			if (error.code === 'pending_expired') redirect(303, '/auth/login?expired=second_factor');
			if (error.code === 'throttled')
				return formFailure(429, form, [
					{
						field: 'code',
						key: 'auth:errors.throttled',
						params: { time: error.retryAt!.toISOString() }
					}
				]);
			return formFailure(400, form, [{ field: 'code', key: 'auth:errors.bad_code' }]);
		}
		redirect(
			303,
			landingPath(await findPrincipal(db, userId), url.searchParams.get('next'), url.origin)
		);
	}
};
