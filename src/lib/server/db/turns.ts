import { AsyncLocalStorage } from 'node:async_hooks';
import PQueue from 'p-queue';
import { AdmissionTimeout } from './unavailable';

/**
 * Turns at the database. A request that already had a connection goes ahead of requests that
 * have not had one yet, so that a request's later queries do not queue behind requests that
 * arrived after it. With one FIFO queue for every query, at a rush a booking that won a room
 * (three queries) waited about three times as long as a refusal (two), and the winners made the
 * tail. A request holds a turn only while it holds a connection: never while it reads a slow
 * body or renders a page.
 */

interface RequestTurns {
	/** The request has had a connection: its next query is a returning one. */
	served: boolean;
}

const requests = new AsyncLocalStorage<RequestTurns>();

/** Runs `work` as one request: its queries after its first go ahead of others' first queries. */
export function asRequest<T>(work: () => T): T {
	return requests.run({ served: false }, work);
}

/**
 * The request's read went to the database in a statement another request sent (batchedByKey):
 * it has had its round trip, and its next query is a returning one.
 */
export function servedWithOthers(): void {
	const request = requests.getStore();
	if (request) request.served = true;
}

const RETURNING = 1;
const FIRST = 0;

export interface Turns {
	/** Waits for a turn; the function it resolves to ends the turn. */
	take(): Promise<() => void>;
	/** The connect timeout the turn and the connection share; 0 for none. */
	readonly maxWaitMs: number;
}

/**
 * The connection, if it comes within what is left of the connect timeout after the wait for a
 * turn; else AdmissionTimeout, and a connection that comes later goes back to the pool unused.
 * Without this a request could wait for a turn and then as long again for a connection.
 */
export async function connectionInTime<C extends { release(): void }>(
	connecting: Promise<C>,
	leftMs: number,
	maxWaitMs: number
): Promise<C> {
	if (maxWaitMs <= 0) return connecting;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const late = new Promise<never>((_, refuse) => {
		timer = setTimeout(() => refuse(new AdmissionTimeout(maxWaitMs)), Math.max(0, leftMs));
	});
	try {
		return await Promise.race([connecting, late]);
	} catch (error) {
		if (error instanceof AdmissionTimeout)
			connecting.then(
				(client) => client.release(),
				() => {}
			);
		throw error;
	} finally {
		clearTimeout(timer);
	}
}

/**
 * At most `places` turns at once. A turn not given within `maxWaitMs` is refused with
 * AdmissionTimeout (a 503 for the request), as the pool refuses a connection it cannot give.
 */
export function turns(places: number, maxWaitMs: number): Turns {
	const queue = new PQueue({ concurrency: places });
	return {
		maxWaitMs,
		take() {
			const request = requests.getStore();
			return new Promise((given, refused) => {
				let abandoned = false;
				const timer =
					maxWaitMs > 0
						? setTimeout(() => {
								abandoned = true;
								refused(new AdmissionTimeout(maxWaitMs));
							}, maxWaitMs)
						: undefined;
				void queue.add(
					() =>
						new Promise<void>((end) => {
							if (abandoned) return end();
							clearTimeout(timer);
							if (request) request.served = true;
							given(end);
						}),
					{ priority: request?.served ? RETURNING : FIRST }
				);
			});
		}
	};
}
