import { defineErrors, onField } from '$lib/server/errors';

/**
 * Why triage refused. A case, request or document of someone else answers `not_found`, the same
 * as a forged reference or id, so that its existence does not leak.
 */
export const triageErrors = defineErrors('triage', {
	not_found: 'not_found',
	case_closed: 'conflict',
	already_priority: 'conflict',
	not_open: 'conflict',
	not_draft: 'conflict',
	...onField('grounds', { grounds_required: 'invalid', ground_unknown: 'invalid' }),
	...onField('explanation', { explanation_required: 'invalid', explanation_too_long: 'invalid' }),
	...onField('whatChanged', { what_changed_required: 'invalid', what_changed_too_long: 'invalid' }),
	...onField('healthConsent', { health_consent_required: 'invalid' }),
	...onField('declaration', { declaration_required: 'invalid' }),
	...onField('documents', {
		too_many_documents: 'invalid',
		document_too_large: 'too_large',
		document_type: 'invalid',
		document_empty: 'invalid',
		upload_too_large: 'too_large',
		upload_broken: 'invalid'
	}),
	// The triage officers' and the administrator's forms (Dutch and English only).
	outcome_required: {
		kind: 'invalid',
		field: 'outcome',
		key: 'triage_staff:errors.outcome_required'
	},
	reason_required: {
		kind: 'invalid',
		field: 'reasons',
		key: 'triage_staff:errors.reason_required'
	},
	reason_unknown: { kind: 'invalid', field: 'reasons', key: 'triage_staff:errors.reason_unknown' },
	condition_unknown: {
		kind: 'invalid',
		field: 'conditions',
		key: 'triage_staff:errors.condition_unknown'
	},
	conditions_changed: {
		kind: 'conflict',
		field: 'conditions',
		key: 'triage_staff:errors.conditions_changed'
	},
	already_decided: { kind: 'conflict', key: 'triage_staff:errors.already_decided' },
	nothing_to_confirm: { kind: 'conflict', key: 'triage_staff:errors.nothing_to_confirm' },
	own_decision: { kind: 'forbidden', key: 'triage_staff:errors.own_decision' },
	return_reason_required: {
		kind: 'invalid',
		field: 'returnReason',
		key: 'triage_staff:errors.return_reason_required'
	},
	return_reason_too_long: {
		kind: 'invalid',
		field: 'returnReason',
		key: 'triage_staff:errors.return_reason_too_long'
	},
	invalid: 'invalid'
});

export type TriageErrorCode = keyof typeof triageErrors.codes;
