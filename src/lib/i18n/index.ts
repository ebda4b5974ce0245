import type { TFunction } from 'i18next';
import { createBrowserTexts } from './hydration.svelte';
import { pageLanguagesOf, type LanguageSet } from '$lib/access';
import { languages, defaultLanguage, languageOf, type Language } from './languages';

export * from './languages';

function languagesIn(set: LanguageSet): Language[] {
	return set === 'all' ? languages : languages.filter((l) => set.includes(l.code));
}

/** The languages a route's pages are written in, from the access table ($lib/access); null: no route matched. */
export function languagesFor(routeId: string | null): Language[] {
	return languagesIn(pageLanguagesOf(routeId).page);
}

/**
 * A link to the page in another language. Only the query: the path as asked for may be
 * `//other.host/…` (a 404 page), which as a link would leave the site.
 */
export function languageHref(search: string, code: string): string {
	const params = new URLSearchParams(search);
	params.set('lang', code);
	return `?${params}`;
}

// The server holds every language (eager.ts); the browser hydrates with the texts the server
// wrote into the page and fetches i18next only when it needs more (hydration.svelte.ts).
const codes = languages.map((l) => l.code);
const server = import.meta.env.SSR
	? (await import('./eager')).createServerEngine(codes, defaultLanguage)
	: null;
const browser = server ? null : createBrowserTexts(codes, defaultLanguage);

/** The server's i18next instance; null in the browser. */
export const i18n = server?.i18n ?? null;

/** The translate function of a language. */
export function translator(lang: string, namespace?: string): TFunction {
	return (server ?? browser)!.translator(lang, namespace);
}

/** In the browser: fetches i18next and a language's texts, before a page renders that needs them. */
export function loadTranslations(lang: string): Promise<void> {
	return browser ? browser.load(lang) : Promise.resolve();
}

/** Picks the first supported language from an Accept-Language header. */
export function negotiate(header: string | null): string | undefined {
	if (!header) return undefined;
	const wanted = header
		.split(',')
		.map((part) => {
			const [tag, q] = part.trim().split(';q=');
			return { code: tag.toLowerCase().split('-')[0], q: q ? Number(q) : 1 };
		})
		.sort((a, b) => b.q - a.q);
	return wanted.find((w) => languageOf(w.code))?.code;
}
