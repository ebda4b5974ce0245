/**
 * Remembers what a pure function returned for a key, up to `limit` keys; when full it starts
 * over, which keeps the memory bounded without the bookkeeping of an LRU. Used for texts and
 * dates: most of a page's sentences are the same for every applicant in a language.
 */
export function memo<T>(limit: number) {
	const values = new Map<string, T>();
	return (key: string, compute: () => T): T => {
		let value = values.get(key);
		if (value === undefined) {
			if (values.size >= limit) values.clear();
			values.set(key, (value = compute()));
		}
		return value;
	};
}
