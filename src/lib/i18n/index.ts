import i18next, { type TFunction } from 'i18next';
import { pageLanguagesOf, type LanguageSet } from '$lib/access';
import translations from './translations.json';

export interface Language {
	code: string;
	/** The language's own name, shown in the language switch. */
	name: string;
	dir: 'ltr' | 'rtl';
	/** The locale for Intl number and date formatting. */
	locale: string;
}

export const languages: Language[] = [
	{ code: 'nl', name: 'Nederlands', dir: 'ltr', locale: 'nl-NL' },
	{ code: 'en', name: 'English', dir: 'ltr', locale: 'en-GB' },
	// Western digits, as in the Arabic texts, on letters and in V-numbers.
	{ code: 'ar', name: 'العربية', dir: 'rtl', locale: 'ar-u-nu-latn' },
	{ code: 'fa', name: 'فارسی', dir: 'rtl', locale: 'fa-IR' },
	{ code: 'ti', name: 'ትግርኛ', dir: 'ltr', locale: 'ti-ER' },
	{ code: 'tr', name: 'Türkçe', dir: 'ltr', locale: 'tr-TR' },
	{ code: 'uk', name: 'Українська', dir: 'ltr', locale: 'uk-UA' }
];

function languagesIn(set: LanguageSet): Language[] {
	return set === 'all' ? languages : languages.filter((l) => set.includes(l.code));
}

/** The languages a route's pages are written in, from the access table ($lib/access); null: no route matched. */
export function languagesFor(routeId: string | null): Language[] {
	return languagesIn(pageLanguagesOf(routeId).page);
}

export const defaultLanguage = 'nl';

/** The languages the texts are written in; every other language is translated from them. */
export const sourceLanguages = ['nl', 'en'];

type Review = { status: 'source' | 'machine-draft' | 'reviewed' };

/**
 * Whether a language's texts are a machine draft that no native speaker has checked yet
 * (./translations.json): its pages say so, and offer the source languages.
 */
export function isMachineDraft(code: string): boolean {
	return (translations as Record<string, Review>)[code]?.status === 'machine-draft';
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

export function languageOf(code: string | null | undefined): Language | undefined {
	return languages.find((l) => l.code === code);
}

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
