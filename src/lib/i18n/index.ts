import i18next, { type TFunction } from 'i18next';
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

const files = import.meta.glob<Record<string, unknown>>('./locales/*/*.json', {
	eager: true,
	import: 'default'
});

const resources: Record<string, Record<string, Record<string, unknown>>> = {};
for (const [path, content] of Object.entries(files)) {
	const [, lng, ns] = /\.\/locales\/([^/]+)\/([^/]+)\.json$/.exec(path)!;
	(resources[lng] ??= {})[ns] = content;
}

export const i18n = i18next.createInstance();
void i18n.init({
	resources,
	supportedLngs: languages.map((l) => l.code),
	fallbackLng: defaultLanguage,
	ns: Object.keys(resources[defaultLanguage] ?? {}),
	defaultNS: 'common',
	interpolation: { escapeValue: false },
	initAsync: false
});

const translators = new Map<string, TFunction>();

/**
 * The translate function of a language. Texts without options are looked up once and then
 * served from a map: a page asks for a hundred of them, and i18next resolves each one anew.
 */
export function translator(lang: string, namespace?: string): TFunction {
	const cacheKey = `${lang}|${namespace ?? ''}`;
	let t = translators.get(cacheKey);
	if (!t) {
		const fixed = i18n.getFixedT(lang, namespace) as unknown as (...args: unknown[]) => string;
		const plain = new Map<string, string>();
		const memo = (key: unknown, ...rest: unknown[]) => {
			if (rest.length > 0 || typeof key !== 'string') return fixed(key, ...rest);
			let text = plain.get(key);
			if (text === undefined) plain.set(key, (text = fixed(key)));
			return text;
		};
		t = memo as unknown as TFunction;
		translators.set(cacheKey, t);
	}
	return t;
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
