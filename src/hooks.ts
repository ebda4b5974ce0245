import type { Transport } from '@sveltejs/kit';
import { isDocumentOnly } from '$lib/document-only';

export const transport: Transport = {
	// Only the server renders such data; a browser asked to decode it has found a bug.
	DocumentOnly: {
		encode: (value) => isDocumentOnly(value) && 1,
		decode: () => {
			throw new Error('data of a page that does not hydrate reached the browser');
		}
	}
};
