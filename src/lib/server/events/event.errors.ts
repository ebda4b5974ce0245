import { defineErrors } from '$lib/server/errors';
import type { EventError } from './event.validation';

/**
 * Why the event API refused a batch. A refused batch is one `rejected` error whose `errors` list
 * names each event (by index), field and code; the other codes are those of the list's items.
 */
export const eventErrors = defineErrors('events', {
	rejected: { kind: 'invalid' },
	invalid: { kind: 'invalid' },
	unknown_type: { kind: 'invalid', field: 'type' },
	duplicate_id: { kind: 'invalid', field: 'id' },
	in_future: { kind: 'invalid', field: 'occurredAt' },
	unknown_case: { kind: 'invalid', field: 'case' },
	case_exists: { kind: 'invalid', field: 'case' },
	unknown_product: { kind: 'invalid', field: 'data.product' },
	unknown_stage: { kind: 'invalid', field: 'data.stage' },
	out_of_order: { kind: 'invalid', field: 'occurredAt' },
	case_closed: { kind: 'invalid', field: 'case' },
	stage_not_allowed: { kind: 'invalid', field: 'data.stage' },
	deadline_not_allowed: { kind: 'invalid', field: 'data.deadline' },
	identity_locked: { kind: 'invalid' },
	unknown_location: { kind: 'invalid', field: 'data.locations' }
});

/** Why one event was refused, for the case system to act on. */
export type EventErrorCode = Exclude<keyof typeof eventErrors.codes, 'rejected'>;

/** The events a refused batch named, or null when `error` is not a refused batch. */
export function refusedEvents(error: unknown): EventError[] | null {
	return eventErrors.is(error, 'rejected') ? ((error.options.errors ?? []) as EventError[]) : null;
}
