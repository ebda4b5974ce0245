import { defineErrors } from '$lib/server/errors';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '$lib/server/db/unavailable';

/** Refusals of the API itself, before or around a domain's work: the key, the request, the service. */
export const apiErrors = defineErrors('api', {
	unauthenticated: 'unauthenticated',
	missing_scope: 'forbidden',
	rate_limited: 'throttled',
	invalid: 'invalid',
	too_large: 'too_large',
	not_found: 'not_found',
	method_not_allowed: 'method_not_allowed',
	database_unavailable: 'unavailable',
	unexpected: 'internal'
});

export type ApiErrorCode = keyof typeof apiErrors.codes;

export const API_KEY_HINT = 'send a valid, unrevoked API key as "Authorization: Bearer <key>"';

/** The `database_unavailable` problem, with the Retry-After every 503 of the portal carries. */
export function databaseUnavailable(what: string) {
	return apiErrors.error('database_unavailable', {
		detail: `the database is unavailable; ${what}`,
		retryAt: new Date(Date.now() + RETRY_AFTER_SECONDS * 1000)
	});
}

/** Runs `work`; when the database is unavailable it becomes that problem, saying what to do. */
export async function whileDatabaseUp<T>(what: string, work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (e) {
		if (isDatabaseUnavailable(e)) throw databaseUnavailable(what);
		throw e;
	}
}
