import DataLoader from 'dataloader';
import type { Db } from './index';
import { servedWithOthers } from './turns';

/** More keys than this wait for the next statement. */
const MAX_BATCH = 64;

/**
 * A read by key that requests running at the same time share: the keys asked for while the
 * event loop handles one round of sockets go to the database in one statement, and each request
 * gets its own row. At a rush this saves a connection, a round trip and a wake-up of PostgreSQL
 * per request; when requests come one at a time, each statement holds one key.
 *
 * `fetch` gets distinct keys and returns rows in any order; `keyOf` says which key a row
 * answers. A key without a row resolves to undefined, and a failed statement fails every request
 * in it, as it would have failed each of them alone. Nothing is kept between statements: each
 * request reads what the database holds when its statement runs.
 */
export function batchedByKey<K, R>(
	fetch: (db: Db, keys: readonly K[]) => Promise<R[]>,
	keyOf: (row: R) => K
): (db: Db, key: K) => Promise<R | undefined> {
	const loaders = new WeakMap<Db, DataLoader<K, R | undefined>>();
	return async (db, key) => {
		let loader = loaders.get(db);
		if (!loader) {
			loader = new DataLoader(
				async (keys) => {
					// Without a cache, DataLoader passes a key as often as it was asked for.
					const rows = await fetch(db, [...new Set(keys)]);
					const byKey = new Map(rows.map((row) => [keyOf(row), row]));
					return keys.map((k) => byKey.get(k));
				},
				// After the round of sockets: the requests it started have reached their reads.
				{ cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (run) => setImmediate(run) }
			);
			loaders.set(db, loader);
		}
		const row = await loader.load(key);
		servedWithOthers();
		return row;
	};
}
