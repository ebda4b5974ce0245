import { defineErrors, onField } from '$lib/server/errors';

/**
 * Why the planner refused. An invitation, appointment or offer of another case answers
 * `not_found`, the same as a forged id, so that its existence does not leak.
 */
export const planningErrors = defineErrors('planning', {
	not_found: 'not_found',
	// The slot the applicant chose does not fit or is no longer free.
	...onField('slot', {
		slot_not_found: 'not_found',
		wrong_kind: 'invalid',
		wrong_location: 'invalid',
		after_book_before: 'invalid',
		slot_past: 'invalid',
		slot_full: 'conflict',
		slot_closed: 'conflict',
		no_interpreter: 'conflict'
	}),
	already_booked: 'conflict',
	not_active: 'conflict',
	invitation_closed: 'gone',
	offer_gone: 'gone',
	key_reused: 'unprocessable',
	past_cutoff: 'forbidden',
	too_early: 'invalid',
	unknown_location: { kind: 'invalid', field: 'location' },
	// The planner's own forms (staff pages, in Dutch and English only).
	code_taken: { kind: 'conflict', field: 'code', key: 'planning:staff.errors.code_taken' },
	template_not_found: {
		kind: 'not_found',
		field: 'templates-caption',
		key: 'planning:staff.errors.template_not_found'
	},
	interpreter_not_found: {
		kind: 'not_found',
		field: 'interpreterId',
		key: 'planning:staff.errors.interpreter_not_found'
	},
	shift_order: { kind: 'invalid', field: 'shiftTo', key: 'planning:staff.errors.shift_order' },
	invalid: 'invalid',
	search_throttled: 'throttled'
});

export type PlanningErrorCode = keyof typeof planningErrors.codes;
