/**
 * The data of a page that does not hydrate (`csr = false`). SvelteKit serializes every load's
 * data into the page it renders, and drops that text when the page has no scripts: on the case
 * page, that was 3% of the server's CPU per request. The data of such a render is marked (by
 * `forDocument`, $lib/server/document.ts), and the `transport` hook (src/hooks.ts) writes a
 * placeholder for it instead.
 */
const unused = new WeakSet<object>();
// Data of every page, such as the root layout's: unused only where the page does not hydrate.
const unusedInDocuments = new WeakSet<object>();
let rendersDocument = (): boolean => false;

export function markUnused(data: object): void {
	unused.add(data);
}

/** Data that a page uses only when it hydrates: left out when the request renders a document. */
export function markUnusedInDocuments<T extends object>(data: T): T {
	unusedInDocuments.add(data);
	return data;
}

/** The server tells whether the current request renders a document ($lib/server/document.ts). */
export function setDocumentCheck(check: () => boolean): void {
	rendersDocument = check;
}

// A WeakSet answers false for a primitive.
export const isUnusedData = (value: unknown): boolean =>
	unused.has(value as object) || (unusedInDocuments.has(value as object) && rendersDocument());
