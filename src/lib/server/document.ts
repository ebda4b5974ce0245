import { markUnused, setDocumentCheck } from '$lib/document';
import { rendersDocument, withoutPageTexts } from '$lib/i18n/eager';

// The root layout's data is left out of such a page too (`markUnusedInDocuments`).
setDocumentCheck(rendersDocument);

/**
 * The load's data of a page that does not hydrate (`csr = false`). When the request renders the
 * whole page, its data is left out of the HTML ($lib/document.ts) and its texts are not noted
 * for a hydration that never comes (eager.ts). A request for the data alone (the client's
 * router, which renders these pages too) gets it whole.
 *
 * Called last in the load: a load that fails renders an error page, which does hydrate.
 */
export function forDocument<T extends object>(event: { isDataRequest: boolean }, data: T): T {
	if (!event.isDataRequest) {
		markUnused(data);
		withoutPageTexts();
	}
	return data;
}
