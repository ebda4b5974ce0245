import type { Db } from '$lib/server/db';

/**
 * Wraps a computation over the whole database so that it runs at most once per `maxAgeMs` per
 * process and database; callers that ask at the same time share one run, and a failed run is
 * forgotten at once.
 */
export function recentlyComputed<T>(maxAgeMs: number, compute: (db: Db, now: Date) => Promise<T>): (db: Db, now?: Date) => Promise<T> {
	const cache = new WeakMap<Db, { at: number; value: Promise<T> }>();
	return (db, now = new Date()) => {
		const hit = cache.get(db);
		const age = hit ? now.getTime() - hit.at : Infinity;
		if (hit && age >= 0 && age < maxAgeMs) return hit.value;
		const entry = { at: now.getTime(), value: compute(db, now) };
		cache.set(db, entry);
		entry.value.catch(() => {
			if (cache.get(db) === entry) cache.delete(db);
		});
		return entry.value;
	};
}
