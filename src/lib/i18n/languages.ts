import translations from './translations.json' with { type: 'json' };

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

export function languageOf(code: string | null | undefined): Language | undefined {
	return languages.find((l) => l.code === code);
}
