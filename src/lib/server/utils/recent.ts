import type { Db } from '$lib/server/db';

interface Entry<T> {
	at: number;
	value: Promise<T>;
	/** The last value that was computed successfully, served while a newer one is computed. */
	last?: { at: number; value: T };
}

/**
 * Wraps a computation over the whole database so that it runs at most once per `maxAgeMs` per
 * process and database. Callers that ask at the same time share one run. Once a value exists,
 * an expired one is still served (with its own moment) while the next is computed, so no
 * visitor waits for the recomputation. A failed run is retried at the next call.
 */
export function recentlyComputed<T>(maxAgeMs: number, compute: (db: Db, now: Date) => Promise<T>): (db: Db, now?: Date) => Promise<T> {
	const cache = new WeakMap<Db, Entry<T>>();
	return (db, now = new Date()) => {
		const hit = cache.get(db);
		const age = hit ? now.getTime() - hit.at : Infinity;
		if (hit && age >= 0 && age < maxAgeMs) return hit.value;
		const entry: Entry<T> = { at: now.getTime(), value: compute(db, now), last: hit?.last };
		cache.set(db, entry);
		entry.value.then(
			(value) => {
				entry.last = { at: entry.at, value };
			},
			() => {
				// Try again at the next call, still serving the last good value meanwhile.
				if (cache.get(db) === entry) cache.set(db, { at: -Infinity, value: entry.value, last: entry.last });
			}
		);
		// Ages are measured on the caller's clock; a value from a later moment is never served to an earlier one.
		if (entry.last && entry.last.at <= now.getTime() && now.getTime() - entry.last.at < 10 * maxAgeMs) return Promise.resolve(entry.last.value);
		return entry.value;
	};
}
