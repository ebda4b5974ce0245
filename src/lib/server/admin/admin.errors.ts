import { defineErrors, type ErrorSpec } from '$lib/server/errors';

/** The forms have always answered a refused change with 400, at the field it concerns. */
const atField = (field: string) => ({ kind: 'invalid', field }) as const satisfies ErrorSpec;

/** Why an administrator's change was refused. */
export const adminErrors = defineErrors('admin', {
	last_admin: atField('roles'),
	own_admin: atField('roles'),
	own_account: atField('status'),
	email_taken: atField('email'),
	kvk_taken: atField('kvk'),
	desk_required: atField('desk'),
	reason_required: atField('reason'),
	// What checkPasswordStrength finds.
	too_short: atField('password'),
	too_long: atField('password'),
	too_common: atField('password'),
	// Another administrator (or tab) revoked it first: the list shows the state now.
	already_revoked: { kind: 'conflict', field: 'keys-caption' },
	not_found: { kind: 'not_found', field: 'user' },
	organisation_not_found: { kind: 'not_found', field: 'organisations-caption' }
});

export type AdminErrorCode = keyof typeof adminErrors.codes;
