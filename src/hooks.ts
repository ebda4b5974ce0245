import type { Transport } from '@sveltejs/kit';
import { isUnusedData } from '$lib/document';

export const transport: Transport = {
	// The placeholder is never read: the page it is written into has no scripts (`forDocument`).
	UnusedData: { encode: (value) => isUnusedData(value) && [0], decode: () => null }
};
