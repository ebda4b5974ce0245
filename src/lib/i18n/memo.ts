/**
 * Remembers values by key, up to `limit` keys; when full it starts over, which keeps the memory
 * bounded without the bookkeeping of an LRU. Used for texts and dates: most of a page's
 * sentences are the same for every applicant in a language.
 */
export class BoundedMap<V, K = string> {
	readonly #values = new Map<K, V>();

	constructor(readonly limit: number) {}

	get(key: K): V | undefined {
		return this.#values.get(key);
	}

	/** Keeps the value and returns it. */
	set(key: K, value: V): V {
		if (this.#values.size >= this.limit) this.#values.clear();
		this.#values.set(key, value);
		return value;
	}
}
