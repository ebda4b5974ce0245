import { defineErrors } from '$lib/server/errors';

/**
 * Why the planner refused. An invitation, appointment or offer of another case answers
 * `not_found`, the same as a forged id, so that its existence does not leak.
 */
export const planningErrors = defineErrors('planning', {
	not_found: { kind: 'not_found' },
	slot_not_found: { kind: 'not_found', field: 'slot' },
	wrong_kind: { kind: 'invalid', field: 'slot' },
	wrong_location: { kind: 'invalid', field: 'slot' },
	after_book_before: { kind: 'invalid', field: 'slot' },
	slot_past: { kind: 'invalid', field: 'slot' },
	slot_full: { kind: 'conflict', field: 'slot' },
	slot_closed: { kind: 'conflict', field: 'slot' },
	no_interpreter: { kind: 'conflict', field: 'slot' },
	already_booked: { kind: 'conflict' },
	not_active: { kind: 'conflict' },
	invitation_closed: { kind: 'gone' },
	offer_gone: { kind: 'gone' },
	key_reused: { kind: 'unprocessable' },
	past_cutoff: { kind: 'forbidden' },
	too_early: { kind: 'invalid' },
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
	invalid: { kind: 'invalid' },
	search_throttled: { kind: 'throttled' }
});

export type PlanningErrorCode = keyof typeof planningErrors.codes;
