/**
 * The data of a page that does not hydrate (`csr = false`). SvelteKit serializes every load's
 * data into the page it renders, and drops that text when the page has no scripts: on the case
 * page, that was 3% of the server's CPU per request. The data of such a render is marked here,
 * and the `transport` hook (src/hooks.ts) writes a placeholder for it instead. A request for the
 * data alone (the client's router, which renders these pages too) is not marked.
 */
const unused = new WeakSet<object>();

/** The load's data, marked as unused when the request renders the whole page. */
export function forDocument<T extends object>(event: { isDataRequest: boolean }, data: T): T {
	if (!event.isDataRequest) unused.add(data);
	return data;
}

// A WeakSet answers false for a primitive.
export const isUnusedData = (value: unknown): boolean => unused.has(value as object);
