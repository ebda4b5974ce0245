/**
 * The server's translations: every language in memory. Each text a page render asks for is also
 * noted, and `withPageTexts` writes them into the page, so that the browser hydrates with exactly
 * the server's sentences without downloading i18next and the locale files (hydration.svelte.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TFunction } from 'i18next';
import { createEngine, resourcesOf, type Engine } from './engine';
import { PAGE_TEXTS_ID, textKey } from './page-texts';
import { BoundedMap } from './memo';

/** A call's text, and its entry in the page's JSON (made once too). */
interface PageText {
	key: string;
	text: string;
	entry: string;
}

const files = import.meta.glob<Record<string, unknown>>('./locales/*/*.json', {
	eager: true,
	import: 'default'
});

// Per request: the JSON entry of each text it rendered, by the call that asked for it; null once
// the request is known to render a page that does not hydrate (`withoutPageTexts`).
const noted = new AsyncLocalStorage<{ texts: Map<string, string> | null }>();

export function createServerEngine(languages: string[], fallback: string): Engine {
	const engine = createEngine(resourcesOf(files), languages, fallback);
	const translators = new Map<string, TFunction>();
	// The translations never change while the server runs, so one call's text holds for every
	// request: i18next's own lookup and interpolation was a tenth of a case page's CPU.
	// With it, the text's entry in the page's JSON, made once too.
	const remembered = new BoundedMap<PageText>(50_000);
	return {
		i18n: engine.i18n,
		translator(lang, namespace) {
			const cacheKey = `${lang}|${namespace ?? ''}`;
			let t = translators.get(cacheKey);
			if (!t) {
				const inner = engine.translator(lang, namespace) as unknown as (...a: unknown[]) => string;
				const translated = (key: string, args: unknown[]): PageText => {
					const text = inner(...args);
					return { key, text, entry: pageTextEntry(key, text) };
				};
				// Most calls are a key alone: found by the key itself, without making the call's JSON.
				const byKey = new BoundedMap<PageText>(10_000);
				const withValues = new CallTree(50_000);
				const noting = (...args: unknown[]) => {
					const texts = noted.getStore()?.texts;
					if (args.length === 1 && typeof args[0] === 'string') {
						const found =
							byKey.get(args[0]) ??
							byKey.set(args[0], translated(textKey(lang, namespace, args), args));
						texts?.set(found.key, found.entry);
						return found.text;
					}
					// A key with values: found by the key and each value in turn, without JSON either.
					const place = withValues.placeOf(args);
					let found = place?.text;
					if (!found) {
						const key = textKey(lang, namespace, args);
						found = remembered.get(key) ?? remembered.set(key, translated(key, args));
						if (place) place.text = found;
					}
					texts?.set(found.key, found.entry);
					return found.text;
				};
				t = noting as unknown as TFunction;
				translators.set(cacheKey, t);
			}
			return t;
		}
	};
}

interface CallPlace {
	text?: PageText;
	/** By an option's name, then by its value. */
	next?: Map<string, Map<unknown, CallPlace>>;
}

/**
 * The calls of a translator with a key and options of plain values (`t('x', { count: 3, n: '3' })`),
 * as a tree: the key, then each option's name and value in order. A lookup compares values in
 * maps and builds no string, where the call's JSON cost a case page about 40 µs of its render.
 * Holds at most `limit` calls; when full it starts over (see BoundedMap).
 */
class CallTree {
	#root = new Map<string, CallPlace>();
	#size = 0;

	constructor(readonly limit: number) {}

	/** Where the call's text is kept; undefined for a call of another shape. */
	placeOf(args: unknown[]): CallPlace | undefined {
		const [key, options] = args;
		if (args.length !== 2 || typeof key !== 'string') return undefined;
		if (typeof options !== 'object' || options === null || Array.isArray(options)) return undefined;
		let place = this.#root.get(key);
		if (!place) this.#root.set(key, (place = {}));
		for (const name in options) {
			const value = (options as Record<string, unknown>)[name];
			if (typeof value === 'object' ? value !== null : typeof value === 'function')
				return undefined;
			place.next ??= new Map();
			let byValue = place.next.get(name);
			if (!byValue) place.next.set(name, (byValue = new Map()));
			let child = byValue.get(value);
			if (!child) {
				if (++this.#size > this.limit) {
					this.#root = new Map();
					this.#size = 0;
					return undefined;
				}
				byValue.set(value, (child = {}));
			}
			place = child;
		}
		return place;
	}
}

// `<` escaped, so that no text can close the script element.
const pageTextEntry = (key: string, text: unknown) =>
	`${JSON.stringify(key)}:${JSON.stringify(text)}`.replaceAll('<', '\\u003c');

/** Runs a request with its own note of the texts it renders. */
export function notingPageTexts<T>(work: () => T): T {
	return noted.run({ texts: new Map() }, work);
}

/**
 * The request renders a page that does not hydrate (`csr = false`): its texts need no noting.
 * Noting them was a twentieth of what the case page allocated per request.
 */
export function withoutPageTexts(): void {
	const note = noted.getStore();
	if (note) note.texts = null;
}

/** Whether this request renders a page that does not hydrate (`withoutPageTexts`). */
export function rendersDocument(): boolean {
	return noted.getStore()?.texts === null;
}

/** An error page follows after all: it hydrates, so its texts are noted again. */
export function resumePageTexts(): void {
	const note = noted.getStore();
	if (note && note.texts === null) note.texts = new Map();
}

// SvelteKit's start script names its global so; a page without it (`csr = false`) never hydrates.
const HYDRATES = '__sveltekit_';

/**
 * The page as it is sent: for a page that hydrates, the texts the render asked for before
 * `</head>` (a page that does not hydrate gets none: on the case page they were 30% of the HTML);
 * and with `language`, the `<html lang="%lang%" dir="%dir%">` of src/app.html filled in. Made of
 * slices of the page, which SvelteKit then reads once: two replace() calls and a second search
 * copied the whole page three times, a sixth of what a case page allocated.
 */
export function withPageTexts(html: string, language?: { lang: string; dir: string }): string {
	const end = html.indexOf('</head>');
	const texts = noted.getStore()?.texts;
	// Where text goes in: [at, how many characters it replaces, the text].
	const cuts: [number, number, string][] = [];
	if (texts && end !== -1 && html.includes(HYDRATES))
		cuts.push([
			end,
			0,
			`<script type="application/json" id="${PAGE_TEXTS_ID}">{${[...texts.values()].join(',')}}</script>`
		]);
	const langAt = language ? html.indexOf('%lang%') : -1;
	const dirAt = langAt === -1 ? -1 : html.indexOf('%dir%', langAt);
	if (language && dirAt !== -1) cuts.push([langAt, 6, language.lang], [dirAt, 5, language.dir]);
	if (cuts.length === 0) return html;
	cuts.sort((a, b) => a[0] - b[0]);
	let page = '';
	let from = 0;
	for (const [at, replaced, text] of cuts) {
		page += html.slice(from, at) + text;
		from = at + replaced;
	}
	return page + html.slice(from);
}
