import { defineErrors } from '$lib/server/errors';

/** Why a change to an organisation's colleagues, or an invitation's acceptance, was refused. */
export const memberErrors = defineErrors('members', {
	// The forms answer with 400 at the field it concerns; the messages live in referent.json.
	own_account: { kind: 'invalid', field: 'member', key: 'referent:members.errors.own_account' },
	last_admin: { kind: 'conflict', field: 'member', key: 'referent:members.errors.last_admin' },
	not_found: { kind: 'not_found', field: 'member', key: 'referent:members.errors.not_found' },
	invitations_throttled: {
		kind: 'throttled',
		field: 'email',
		key: 'referent:members.errors.invitations_throttled'
	},
	// Another tab or administrator withdrew it first, or it was accepted meanwhile.
	invitation_gone: {
		kind: 'conflict',
		field: 'invitations-caption',
		key: 'referent:members.errors.invitation_gone'
	},
	invitation_invalid: {
		kind: 'gone',
		field: 'password',
		key: 'referent:invitation.errors.invalid'
	},
	email_taken: {
		kind: 'conflict',
		field: 'password',
		key: 'referent:invitation.errors.email_taken'
	},
	too_short: { kind: 'invalid', field: 'password', key: 'referent:invitation.errors.too_short' },
	too_long: { kind: 'invalid', field: 'password', key: 'referent:invitation.errors.too_long' },
	too_common: { kind: 'invalid', field: 'password', key: 'referent:invitation.errors.too_common' }
});

export type MemberErrorCode = keyof typeof memberErrors.codes;
