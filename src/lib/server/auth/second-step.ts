import { redirect, type Cookies } from '@sveltejs/kit';
import type { Db } from '$lib/server/db';
import { authErrors } from './auth.errors';
import { findPendingLogin } from './login.service';
import { deletePendingCookie, pendingCookieName, setSessionCookie } from './session';

/** Where a person goes whose sign-in between password and second step has ended. */
export const SIGN_IN_AGAIN = '/auth/login?expired=second_factor';

/** The pending sign-in of the request's cookie; without one, back to the password. */
export async function requirePendingLogin(db: Db, cookies: Cookies, url: URL) {
	const pending = await findPendingLogin(
		db,
		cookies.get(pendingCookieName(url.protocol === 'https:'))
	);
	if (!pending) redirect(303, SIGN_IN_AGAIN);
	return pending;
}

/**
 * Runs the second step with the pending cookie's token; when it succeeds, the session cookie
 * replaces the pending one. A pending sign-in that ended meanwhile goes back to the password,
 * as the page's load does: `pending_expired` is the one refusal that is not shown on the form.
 */
export async function finishSecondStep<T extends { token: string; expiresAt: Date }>(
	cookies: Cookies,
	url: URL,
	complete: (pendingToken: string | undefined) => Promise<T>
): Promise<T> {
	const secure = url.protocol === 'https:';
	let result: T;
	try {
		result = await complete(cookies.get(pendingCookieName(secure)));
	} catch (e) {
		if (authErrors.is(e, 'pending_expired')) redirect(303, SIGN_IN_AGAIN);
		throw e;
	}
	setSessionCookie(cookies, result.token, result.expiresAt, secure);
	deletePendingCookie(cookies, secure);
	return result;
}
