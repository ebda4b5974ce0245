import type { Db } from '$lib/server/db';

interface Entry<T> {
	at: number;
	value: Promise<T>;
	settled: boolean;
	/** The last run failed (the database is down or slow): the last good value is served, whatever its age. */
	failing: boolean;
	/** The last value that was computed successfully, served while a newer one is computed. */
	last?: { at: number; value: T };
}

/**
 * Wraps a computation over the whole database so that it runs at most once per `maxAgeMs` per
 * process and database. Callers that ask at the same time share one run. Once a value exists,
 * an expired one is still served (with its own moment) while the next is computed, so no
 * visitor waits for the recomputation. A failed run is retried at the next call; until one
 * succeeds, the last good value is served however old it is, so a database outage does not
 * take the figures away.
 */
export function recentlyComputed<T>(
	maxAgeMs: number,
	compute: (db: Db, now: Date) => Promise<T>
): (db: Db, now?: Date) => Promise<T> {
	const cache = new WeakMap<Db, Entry<T>>();
	return (db, now = new Date()) => {
		const time = now.getTime();
		let entry = cache.get(db);
		const age = entry ? time - entry.at : Infinity;
		if (!entry || !(age >= 0 && age < maxAgeMs)) {
			const previous = entry;
			const fresh: Entry<T> = {
				at: time,
				value: compute(db, now),
				settled: false,
				failing: previous?.failing ?? false,
				last: previous?.last
			};
			cache.set(db, fresh);
			fresh.value.then(
				(value) => {
					fresh.settled = true;
					fresh.failing = false;
					fresh.last = { at: fresh.at, value };
				},
				(error: unknown) => {
					fresh.settled = true;
					fresh.failing = true;
					if (fresh.last)
						console.warn(
							`Serving figures from ${new Date(fresh.last.at).toISOString()}: ${(error as Error)?.message ?? error}`
						);
					// Try again at the next call, still serving the last good value meanwhile.
					if (cache.get(db) === fresh) cache.set(db, { ...fresh, at: -Infinity });
				}
			);
			entry = fresh;
		}
		if (entry.settled && !entry.failing) return entry.value;
		const last = entry.last;
		// Ages are measured on the caller's clock; a value from a later moment is never served to an earlier one.
		if (last && last.at <= time && (entry.failing || time - last.at < 10 * maxAgeMs))
			return Promise.resolve(last.value);
		if (!last || last.at > time) return entry.value;
		// Too old to serve while a new run is merely under way, but better than nothing if that run fails.
		return entry.value.catch(() => last.value);
	};
}
