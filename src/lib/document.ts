/**
 * The data of a page that does not hydrate (`csr = false`). SvelteKit serializes every load's
 * data into the page it renders, and drops that text when the page has no scripts: on the case
 * page, that was 3% of the server's CPU per request. The data of such a render is marked (by
 * `forDocument`, $lib/server/document.ts), and the `transport` hook (src/hooks.ts) writes a
 * placeholder for it instead.
 */
const unused = new WeakSet<object>();

export function markUnused(data: object): void {
	unused.add(data);
}

// A WeakSet answers false for a primitive.
export const isUnusedData = (value: unknown): boolean => unused.has(value as object);
