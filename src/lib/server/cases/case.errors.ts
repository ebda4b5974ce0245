import { defineErrors } from '$lib/server/errors';

/**
 * Why a case was not shown. Each audience hears it in its own words: an applicant and a referent
 * cannot tell a case that is not theirs from one that does not exist, so its existence does not leak.
 */
export const caseErrors = defineErrors('cases', {
	not_found: { kind: 'not_found', key: 'common:errors.not_found' },
	not_sponsored: { kind: 'not_found', key: 'referent:case.not_found' },
	unknown_reference: {
		kind: 'not_found',
		field: 'reference',
		key: 'staff:lookup.errors.not_found'
	},
	reason_required: { kind: 'invalid', field: 'reason', key: 'staff:lookup.errors.reason_short' },
	role_not_held: { kind: 'invalid', field: 'role', key: 'staff:lookup.errors.role_required' }
});

export type CaseErrorCode = keyof typeof caseErrors.codes;
