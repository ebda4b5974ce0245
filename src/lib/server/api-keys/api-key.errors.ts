import { defineErrors } from '$lib/server/errors';

/** Why a request with an API key was refused. */
export const apiKeyErrors = defineErrors('api-keys', {
	unauthenticated: { kind: 'unauthenticated' },
	missing_scope: { kind: 'forbidden' },
	rate_limited: { kind: 'throttled' }
});
