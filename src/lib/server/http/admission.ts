import type { Handle } from '@sveltejs/kit';
import pLimit from 'p-limit';
import { AdmissionTimeout } from '$lib/server/db';

/**
 * At most as many requests in progress at once as the database pool has connections; the others
 * wait at the door, in the order they came. Without a door a request queues for a connection once
 * per query, each time behind requests that arrived after it: at a rush, a booking that won a
 * room (three queries) waited three times as long as a refusal (two), and the winners made the
 * tail. Behind the door an admitted request finds a connection free for each of its queries.
 *
 * A request that waited `maxWaitMs` (the pool's own connection wait) is refused before it does
 * anything, so an answer given up on (503) never turns into a booking made later. Requests that
 * SvelteKit makes to itself (`fetch` in a load) go in with their parent, which holds a place.
 */
export function admission(places: number | null, maxWaitMs: number): Handle {
	if (!places) return ({ event, resolve }) => resolve(event);
	const door = pLimit(places);
	return ({ event, resolve }) => {
		if (event.isSubRequest) return resolve(event);
		const arrived = performance.now();
		return door(() => {
			const waited = performance.now() - arrived;
			if (maxWaitMs > 0 && waited > maxWaitMs) throw new AdmissionTimeout(waited);
			return resolve(event);
		});
	};
}
