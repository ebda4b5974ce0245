import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import {
	authErrors,
	completeEnrolment,
	enrolmentSecret,
	findPendingLogin
} from '$lib/server/auth/account.service';
import { enrolSchema } from '$lib/server/auth/second-factor.validation';
import { deletePendingCookie, pendingCookieName, setSessionCookie } from '$lib/server/auth/session';
import { findPrincipal } from '$lib/server/auth/user.repository';
import { landingPath } from '$lib/server/auth/access';
import { groupSecret, totpQrSvg } from '$lib/server/auth/totp';
import { formFailure, parseForm } from '$lib/validation/form';

export const load: PageServerLoad = async ({ cookies, url, locals }) => {
	// Once enrolled, the page shows the recovery codes of the action's answer; nothing to load.
	if (locals.user) return { enrolment: null };
	const pending = await findPendingLogin(
		db,
		cookies.get(pendingCookieName(url.protocol === 'https:'))
	);
	if (!pending) redirect(303, '/auth/login?expired=second_factor');
	if (pending.hasTotp) redirect(303, `/auth/login/verify${url.search}`);
	const secret = await enrolmentSecret(db, pending);
	return { enrolment: { qr: await totpQrSvg(secret, pending.email), secret: groupSecret(secret) } };
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const form = await request.formData();
		const parsed = parseForm(enrolSchema, form);
		if (!parsed.ok) return formFailure(400, form, parsed.errors);
		const secure = url.protocol === 'https:';
		try {
			const result = await completeEnrolment(
				db,
				cookies.get(pendingCookieName(secure)),
				parsed.data.code,
				getClientAddress()
			);
			setSessionCookie(cookies, result.token, result.expiresAt, secure);
			deletePendingCookie(cookies, secure);
			// Shown once, in this answer; never stored readable.
			return {
				recoveryCodes: result.recoveryCodes,
				next: landingPath(
					await findPrincipal(db, result.userId),
					url.searchParams.get('next'),
					url.origin
				)
			};
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
	}
};
