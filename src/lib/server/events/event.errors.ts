import { defineErrors } from '$lib/server/errors';
import type { EventError } from './event.validation';

// Every refusal of the event API is a 400: the case system sent something it can correct.
const invalid = (field?: string) => ({ kind: 'invalid', field }) as const;

/**
 * Why the event API refused a batch. A refused batch is one `rejected` error whose `errors` list
 * names each event (by index), field and code; the other codes are those of the list's items.
 */
export const eventErrors = defineErrors('events', {
	rejected: invalid(),
	invalid: invalid(),
	unknown_type: invalid('type'),
	duplicate_id: invalid('id'),
	in_future: invalid('occurredAt'),
	unknown_case: invalid('case'),
	case_exists: invalid('case'),
	unknown_product: invalid('data.product'),
	unknown_stage: invalid('data.stage'),
	out_of_order: invalid('occurredAt'),
	case_closed: invalid('case'),
	stage_not_allowed: invalid('data.stage'),
	deadline_not_allowed: invalid('data.deadline'),
	identity_locked: invalid(),
	unknown_location: invalid('data.locations'),
	no_documents_stage: invalid('type')
});

/** Why one event was refused, for the case system to act on. */
export type EventErrorCode = Exclude<keyof typeof eventErrors.codes, 'rejected'>;

/** The events a refused batch named, or null when `error` is not a refused batch. */
export function refusedEvents(error: unknown): EventError[] | null {
	return eventErrors.is(error, 'rejected') ? ((error.options.errors ?? []) as EventError[]) : null;
}
