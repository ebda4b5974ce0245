/**
 * A page that does not hydrate (`csr = false`) still has its load's data serialized by SvelteKit,
 * for a browser that never reads it: on the case page that was a twentieth of its CPU. Data marked
 * here is sent as nothing instead (the transport in src/hooks.ts).
 */
const DOCUMENT_ONLY = Symbol('document only');

export function documentOnly<T extends object>(data: T): T {
	Object.defineProperty(data, DOCUMENT_ONLY, { value: true });
	return data;
}

export function isDocumentOnly(value: unknown): boolean {
	return typeof value === 'object' && value !== null && DOCUMENT_ONLY in value;
}
