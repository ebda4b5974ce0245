import { defineErrors } from '$lib/server/errors';

/**
 * Why an administrator's change was refused. The forms have always answered these with 400 (and
 * an account that is not there with 404), so the kinds are `invalid` and `not_found`.
 */
export const adminErrors = defineErrors('admin', {
	last_admin: { kind: 'invalid', field: 'roles' },
	own_account: { kind: 'invalid', field: 'status' },
	email_taken: { kind: 'invalid', field: 'email' },
	kvk_taken: { kind: 'invalid', field: 'kvk' },
	desk_required: { kind: 'invalid', field: 'desk' },
	too_short: { kind: 'invalid', field: 'password' },
	too_long: { kind: 'invalid', field: 'password' },
	too_common: { kind: 'invalid', field: 'password' },
	reason_required: { kind: 'invalid', field: 'reason' },
	own_admin: { kind: 'invalid', field: 'roles' },
	// Another administrator (or tab) revoked it first: the list shows the state now.
	already_revoked: { kind: 'conflict', field: 'keys-caption' },
	not_found: { kind: 'not_found', field: 'user' }
});

export type AdminErrorCode = keyof typeof adminErrors.codes;
