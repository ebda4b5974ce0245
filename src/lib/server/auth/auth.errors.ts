import { defineErrors } from '$lib/server/errors';

/** Why signing in, activating, resetting or changing a second factor was refused. */
export const authErrors = defineErrors('auth', {
	bad_credentials: { kind: 'invalid', field: 'email' },
	throttled: { kind: 'throttled', field: 'code' },
	reset_throttled: { kind: 'throttled', field: 'email' },
	activation_failed: { kind: 'invalid', field: 'code' },
	already_activated: { kind: 'invalid', field: 'code' },
	email_taken: { kind: 'invalid', field: 'email' },
	// The reset page says what an unusable activation code says: the link is not (or no longer) valid.
	reset_invalid: { kind: 'invalid', field: 'password', key: 'auth:errors.activation_failed' },
	pending_expired: { kind: 'gone' },
	bad_code: { kind: 'invalid', field: 'code' },
	// The account's roles need the second step, so it stays on.
	totp_required: { kind: 'forbidden', field: 'code' },
	too_short: { kind: 'invalid', field: 'password' },
	too_long: { kind: 'invalid', field: 'password' },
	too_common: { kind: 'invalid', field: 'password' }
});

export type AuthErrorCode = keyof typeof authErrors.codes;

/** Why the case system's request for an activation letter was refused. */
export const letterErrors = defineErrors('letters', {
	unknown_case: { kind: 'not_found', field: 'reference' },
	// Reusing a request id for another case breaks the idempotency contract.
	request_id_reused: { kind: 'unprocessable', field: 'Idempotency-Key' },
	replay_expired: { kind: 'conflict', field: 'Idempotency-Key' }
});
