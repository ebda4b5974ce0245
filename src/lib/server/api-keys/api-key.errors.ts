import { defineErrors } from '$lib/server/errors';

/** Why a request with an API key was refused. */
export const apiKeyErrors = defineErrors('api-keys', {
	unauthenticated: 'unauthenticated',
	missing_scope: 'forbidden',
	rate_limited: 'throttled'
});
