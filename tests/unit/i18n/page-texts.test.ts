import { describe, expect, it } from 'vitest';
import { translator } from '$lib/i18n';
import { notingPageTexts, withoutPageTexts, withPageTexts } from '$lib/i18n/eager';
import { PAGE_TEXTS_ID, textKey } from '$lib/i18n/page-texts';

// A page that hydrates: SvelteKit's start script names its global `__sveltekit_<hash>`.
const page =
	'<html><head><title>x</title></head><body><script>__sveltekit_1x = {};</script></body></html>';
const documentPage = '<html><head><title>x</title></head><body></body></html>';

/** The texts a page carries for the browser, read back as the browser reads them. */
function textsIn(html: string): Record<string, string> {
	const match = new RegExp(
		`<script type="application/json" id="${PAGE_TEXTS_ID}">(.*?)</script></head>`
	).exec(html);
	expect(match).not.toBeNull();
	return JSON.parse(match![1]);
}

describe("the texts a page render writes for the browser's hydration", () => {
	it('holds each text the render asked for, under the call that asked for it', () => {
		const html = notingPageTexts(() => {
			const t = translator('nl');
			t('nav.sign_out');
			t('cases:turn.ahead', { count: 3, n: '3' });
			translator('en', 'statistics')('title');
			return withPageTexts(page);
		});
		const texts = textsIn(html);
		expect(texts[textKey('nl', undefined, ['nav.sign_out'])]).toBe('Uitloggen');
		expect(texts[textKey('nl', undefined, ['cases:turn.ahead', { count: 3, n: '3' }])]).toBe(
			translator('nl')('cases:turn.ahead', { count: 3, n: '3' })
		);
		expect(texts[textKey('en', 'statistics', ['title'])]).toBe(
			translator('en', 'statistics')('title')
		);
		expect(Object.keys(texts)).toHaveLength(3);
	});

	it('writes none into a page that does not hydrate', () => {
		const html = notingPageTexts(() => {
			translator('nl')('nav.sign_out');
			return withPageTexts(documentPage);
		});
		expect(html).toBe(documentPage);
	});

	it('notes nothing once the request is known to render a page that does not hydrate', () => {
		const html = notingPageTexts(() => {
			withoutPageTexts();
			expect(translator('nl')('nav.sign_out')).toBe('Uitloggen');
			expect(translator('nl')('cases:turn.ahead', { count: 3, n: '3' })).toBe(
				'Er zijn 3 mensen voor u.'
			);
			return withPageTexts(page);
		});
		expect(html).toBe(page);
	});

	it('cannot be closed early by a text that holds markup', () => {
		const reason = '</script><script>alert(1)</script>';
		const html = notingPageTexts(() => {
			translator('nl')('cases:detail.extended', { date: '1 mei', reason });
			return withPageTexts(page);
		});
		// The start script closes once; the texts never close theirs early.
		expect(html.match(/<\/script>/g)).toHaveLength(2);
		const [text] = Object.values(textsIn(html));
		expect(text).toContain(reason);
	});

	it('notes a text the server already knows from an earlier page, with this page’s own values', () => {
		const render = (n: number) =>
			textsIn(
				notingPageTexts(() => {
					translator('nl')('nav.sign_out');
					translator('nl')('cases:turn.ahead', { count: n, n: String(n) });
					return withPageTexts(page);
				})
			);
		render(3);
		const again = render(3);
		const other = render(1);
		expect(Object.values(again)).toEqual(['Uitloggen', 'Er zijn 3 mensen voor u.']);
		expect(Object.values(other)).toEqual(['Uitloggen', 'Er is 1 persoon voor u.']);
	});

	it('gives each call with values its own text, however often and in whatever order it comes', () => {
		const t = translator('nl');
		const texts = [3, 1, 3, 1].map((n) => t('cases:turn.ahead', { count: n, n: String(n) }));
		expect(texts).toEqual([
			'Er zijn 3 mensen voor u.',
			'Er is 1 persoon voor u.',
			'Er zijn 3 mensen voor u.',
			'Er is 1 persoon voor u.'
		]);
		// The same values under other names or in another order, and values that are not plain.
		expect(t('cases:turn.ahead', { n: '3', count: 3 })).toBe('Er zijn 3 mensen voor u.');
		expect(t('cases:turn.ahead', { count: 3, n: '7' })).toBe('Er zijn 7 mensen voor u.');
		expect(t('cases:turn.ahead', { count: 3, n: { toString: () => '8' } })).toBe(
			'Er zijn 8 mensen voor u.'
		);
		expect(translator('en')('cases:turn.ahead', { count: 3, n: '3' })).not.toBe(texts[0]);
	});

	it('keeps one request’s texts out of another’s', async () => {
		const slow = notingPageTexts(async () => {
			await new Promise((r) => setTimeout(r, 20));
			translator('nl')('nav.sign_in');
			return withPageTexts(page);
		});
		const fast = notingPageTexts(() => {
			translator('nl')('nav.sign_out');
			return withPageTexts(page);
		});
		expect(Object.values(textsIn(fast))).toEqual(['Uitloggen']);
		expect(Object.values(textsIn(await slow))).toEqual(['Inloggen']);
	});

	it('leaves a response without a render as it is', () => {
		expect(withPageTexts(page)).toBe(page);
	});
});

describe('the language of the page', () => {
	const template =
		'<!doctype html>\n<html lang="%lang%" dir="%dir%">\n<head></head><body><script>__sveltekit_1x = {};</script>%lang%</body></html>';

	it('fills in the html element’s lang and dir, beside the texts of a page that hydrates', () => {
		const html = notingPageTexts(() => {
			translator('ar')('nav.sign_out');
			return withPageTexts(template, { lang: 'ar', dir: 'rtl' });
		});
		expect(html).toMatch(
			/^<!doctype html>\n<html lang="ar" dir="rtl">\n<head><script type="application\/json"/
		);
		expect(html).toMatch(
			/<\/script><\/head><body><script>__sveltekit_1x = \{\};<\/script>%lang%<\/body><\/html>$/
		);
		expect(Object.values(textsIn(html))).toEqual([translator('ar')('nav.sign_out')]);
	});

	it('fills them in on a page that does not hydrate, and leaves a later chunk as it is', () => {
		const documentTemplate = template.replace('<script>__sveltekit_1x = {};</script>', '');
		expect(notingPageTexts(() => withPageTexts(documentTemplate, { lang: 'nl', dir: 'ltr' }))).toBe(
			documentTemplate.replace('%lang%', 'nl').replace('%dir%', 'ltr')
		);
		expect(withPageTexts('<p>later chunk</p>', { lang: 'ar', dir: 'rtl' })).toBe(
			'<p>later chunk</p>'
		);
	});
});
