/**
 * The server's translations: every language in memory. Each text a page render asks for is also
 * noted, and `withPageTexts` writes them into the page, so that the browser hydrates with exactly
 * the server's sentences without downloading i18next and the locale files (hydration.svelte.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TFunction } from 'i18next';
import { createEngine, resourcesOf, type Engine } from './engine';
import { PAGE_TEXTS_ID, textKey } from './page-texts';

const files = import.meta.glob<Record<string, unknown>>('./locales/*/*.json', {
	eager: true,
	import: 'default'
});

const noted = new AsyncLocalStorage<Map<string, string>>();

export function createServerEngine(languages: string[], fallback: string): Engine {
	const engine = createEngine(resourcesOf(files), languages, fallback);
	const translators = new Map<string, TFunction>();
	return {
		i18n: engine.i18n,
		translator(lang, namespace) {
			const cacheKey = `${lang}|${namespace ?? ''}`;
			let t = translators.get(cacheKey);
			if (!t) {
				const inner = engine.translator(lang, namespace) as unknown as (...a: unknown[]) => string;
				const noting = (...args: unknown[]) => {
					const text = inner(...args);
					noted.getStore()?.set(textKey(lang, namespace, args), text);
					return text;
				};
				t = noting as unknown as TFunction;
				translators.set(cacheKey, t);
			}
			return t;
		}
	};
}

/** Runs a request with its own note of the texts it renders. */
export function notingPageTexts<T>(work: () => T): T {
	return noted.run(new Map(), work);
}

/** The page's `<head>` with the texts the render asked for, for the browser's hydration. */
export function withPageTexts(html: string): string {
	const texts = noted.getStore();
	const end = html.indexOf('</head>');
	if (!texts || end === -1) return html;
	// `<` escaped, so that no text can close the script element.
	const json = JSON.stringify(Object.fromEntries(texts)).replaceAll('<', '\\u003c');
	return `${html.slice(0, end)}<script type="application/json" id="${PAGE_TEXTS_ID}">${json}</script>${html.slice(end)}`;
}
