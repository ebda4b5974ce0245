import { DomainError } from '$lib/server/errors';
import { refusedEvents } from '$lib/server/events/event.errors';
import type { EventError } from '$lib/server/events/event.validation';

/**
 * The per-event errors of a batch the service refused. Fails when the batch was accepted, or
 * refused with anything but the events' `rejected` error (kind `invalid`, so a 400).
 */
export async function refusal(work: Promise<unknown>): Promise<EventError[]> {
	const thrown = await work.then(
		() => {
			throw new Error('the batch was accepted');
		},
		(e: unknown) => e
	);
	const refused = refusedEvents(thrown);
	if (!refused || !(thrown instanceof DomainError) || thrown.kind !== 'invalid') throw thrown;
	return refused;
}
