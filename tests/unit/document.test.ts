import { describe, expect, it } from 'vitest';
import { forDocument } from '$lib/server/document';
import { translator } from '$lib/i18n';
import { markUnusedInDocuments } from '$lib/document';
import { notingPageTexts, resumePageTexts, withPageTexts } from '$lib/i18n/eager';
import { transport } from '../../src/hooks';

const { encode } = transport.UnusedData;

describe('the data of a page that does not hydrate', () => {
	it('is left out of a whole page, which has no script to read it', () => {
		const data = forDocument({ isDataRequest: false }, { status: { reference: 'IND-1' } });
		expect(encode(data)).toBeTruthy();
		// Only the marked object: whatever else the page's layouts return is serialized as always.
		expect(encode(data.status)).toBeFalsy();
		expect(encode({ status: { reference: 'IND-1' } })).toBeFalsy();
	});

	it('is sent whole to the router, which renders the page in the browser', () => {
		const data = forDocument({ isDataRequest: true }, { status: { reference: 'IND-1' } });
		expect(encode(data)).toBeFalsy();
	});

	it('has its texts left out of the page as well', () => {
		const page = '<html><head></head><body><script>__sveltekit_1x = {};</script></body></html>';
		const render = (isDataRequest: boolean) =>
			notingPageTexts(() => {
				forDocument({ isDataRequest }, {});
				translator('nl')('nav.sign_out');
				return withPageTexts(page);
			});
		expect(render(false)).toBe(page);
		expect(render(true)).toContain('Uitloggen');
	});

	it('has the root layout’s data left out only when the page is a document', () => {
		const layout = markUnusedInDocuments({ lang: 'nl', menu: [] });
		const encodedIn = (isDataRequest: boolean, then?: () => void) =>
			notingPageTexts(() => {
				forDocument({ isDataRequest }, {});
				then?.();
				return Boolean(encode(layout));
			});
		expect(encodedIn(false)).toBe(true);
		// The router's request for data, another page, and an error page after a failed render.
		expect(encodedIn(true)).toBe(false);
		expect(notingPageTexts(() => Boolean(encode(layout)))).toBe(false);
		expect(encodedIn(false, resumePageTexts)).toBe(false);
	});
});
