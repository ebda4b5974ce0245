import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import translations from '../../../src/lib/i18n/translations.json';

const dir = 'src/lib/i18n/locales';
const applicantLanguages = ['nl', 'en', 'ar', 'fa', 'ti', 'tr', 'uk'];
const staffLanguages = ['nl', 'en'];
const applicantNamespaces = [
	'common',
	'auth',
	'cases',
	'domain',
	'statistics',
	'email',
	'how',
	'appointment',
	'triage',
	'push'
];
const staffNamespaces = ['referent', 'counter', 'staff', 'admin', 'triage_staff'];
const CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'];

type Texts = Map<string, string>;

/** Every text of a file, by its dotted key (`nav.sign_in`, `queue.ahead_one`). */
function texts(lang: string, namespace: string): Texts {
	const found: Texts = new Map();
	const walk = (value: unknown, prefix: string) => {
		if (typeof value === 'string') found.set(prefix, value);
		else if (value && typeof value === 'object' && !Array.isArray(value))
			for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
		else found.set(prefix, `<${typeof value}>`);
	};
	walk(JSON.parse(readFileSync(`${dir}/${lang}/${namespace}.json`, 'utf8')), '');
	return found;
}

/**
 * The plural groups of a file: a key with an `_other` form is plural, and its forms are the
 * `_zero` … `_other` keys beside it. (`too_few` without a `too_other` is a plain key.)
 */
function pluralGroups(all: Texts): Map<string, Map<string, string>> {
	const groups = new Map<string, Map<string, string>>();
	for (const key of all.keys()) {
		if (!key.endsWith('_other')) continue;
		const base = key.slice(0, -'_other'.length);
		const forms = new Map<string, string>();
		for (const c of CATEGORIES) if (all.has(`${base}_${c}`)) forms.set(c, all.get(`${base}_${c}`)!);
		groups.set(base, forms);
	}
	return groups;
}

/** The keys a visitor can ask for: plain keys, and each plural group once. */
function askable(all: Texts): string[] {
	const groups = pluralGroups(all);
	const formOf = (key: string) =>
		CATEGORIES.some((c) => key.endsWith(`_${c}`) && groups.has(key.slice(0, -c.length - 1)));
	return [...[...all.keys()].filter((k) => !formOf(k)), ...groups.keys()].sort();
}

const placeholdersIn = (text: string) => [...new Set(text.match(/\{\{[^}]+\}\}/g) ?? [])].sort();

/** The categories i18next asks for in a language: Intl.PluralRules of its code, as i18next builds them. */
const categoriesOf = (lang: string) =>
	[...new Intl.PluralRules(lang).resolvedOptions().pluralCategories].sort() as string[];

/** What is wrong with `lang`'s file against the English one; empty when nothing is. */
function problems(lang: string, namespace: string): string[] {
	if (!existsSync(`${dir}/${lang}/${namespace}.json`)) return [`${lang}/${namespace}: no file`];
	return compare(lang, `${lang}/${namespace}`, texts('en', namespace), texts(lang, namespace));
}

function compare(lang: string, file: string, en: Texts, own: Texts): string[] {
	const found: string[] = [];
	const enKeys = askable(en);
	const ownKeys = askable(own);
	for (const key of enKeys) if (!ownKeys.includes(key)) found.push(`${file}: missing ${key}`);
	for (const key of ownKeys)
		if (!enKeys.includes(key)) found.push(`${file}: ${key} is not in English`);
	for (const [key, value] of own) if (value.trim() === '') found.push(`${file}: ${key} is empty`);

	const enGroups = pluralGroups(en);
	const ownGroups = pluralGroups(own);
	const needed = categoriesOf(lang);
	for (const [base, forms] of ownGroups) {
		// i18next uses `_zero` for a count of 0 in every language, so it may always be there.
		const have = [...forms.keys()];
		for (const c of needed) if (!have.includes(c)) found.push(`${file}: ${base}_${c} is missing`);
		for (const c of have)
			if (c !== 'zero' && !needed.includes(c))
				found.push(`${file}: ${base}_${c} is never used in ${lang}`);
		const enForms = enGroups.get(base);
		if (!enForms) continue;
		const enNames = new Set([...enForms.values()].flatMap(placeholdersIn));
		// The 'other' form is the general one: it says everything the English one does. Others
		// ('one', 'two') may leave the number out, but name nothing English does not have.
		const other = placeholdersIn(forms.get('other') ?? '').join(' ');
		const enOther = placeholdersIn(enForms.get('other')!).join(' ');
		if (other !== enOther)
			found.push(`${file}: ${base}_other has ${other || 'none'}, not ${enOther}`);
		for (const [c, text] of forms)
			for (const name of placeholdersIn(text))
				if (!enNames.has(name))
					found.push(`${file}: ${base}_${c} has ${name}, which English has not`);
	}
	for (const [key, value] of own) {
		if (!en.has(key) || [...ownGroups.keys()].some((b) => key.startsWith(`${b}_`))) continue;
		const want = placeholdersIn(en.get(key)!).join(' ');
		const got = placeholdersIn(value).join(' ');
		if (want !== got) found.push(`${file}: ${key} has ${got || 'none'}, not ${want}`);
	}
	return found;
}

describe('translations', () => {
	it('has every namespace in every language that needs it', () => {
		for (const lang of applicantLanguages)
			expect(
				readdirSync(`${dir}/${lang}`).map((f) => f.replace('.json', '')),
				lang
			).toEqual(expect.arrayContaining(applicantNamespaces));
		for (const lang of staffLanguages)
			expect(readdirSync(`${dir}/${lang}`).map((f) => f.replace('.json', ''))).toEqual(
				expect.arrayContaining(staffNamespaces)
			);
	});

	it('gives every text, plural form and placeholder in every language, so no visitor sees a key or a fallback', () => {
		const found: string[] = [];
		for (const ns of applicantNamespaces)
			for (const lang of applicantLanguages.filter((l) => l !== 'en'))
				found.push(...problems(lang, ns));
		for (const ns of staffNamespaces)
			for (const lang of staffLanguages.filter((l) => l !== 'en'))
				found.push(...problems(lang, ns));
		expect(found).toEqual([]);
	});

	it('asks each language for its own plural forms', () => {
		expect(categoriesOf('ar')).toEqual(['few', 'many', 'one', 'other', 'two', 'zero']);
		expect(categoriesOf('uk')).toEqual(['few', 'many', 'one', 'other']);
		for (const lang of ['tr', 'ti', 'fa', 'nl', 'en'])
			expect(categoriesOf(lang), lang).toEqual(['one', 'other']);
	});

	it('finds a missing text, a missing plural form and a changed placeholder', () => {
		// The checks above, on made-up texts: they must not let these through.
		const en: Texts = new Map([
			['a', 'Hello {{name}}'],
			['b', 'Bye'],
			['n_one', '{{n}} day'],
			['n_other', '{{n}} days']
		]);
		const uk: Texts = new Map([
			['a', 'Привіт {{naam}}'],
			['n_one', '{{n}} день'],
			['n_few', '{{n}} дні'],
			['n_other', '{{n}} днів'],
			['n_two', '{{n}} дні']
		]);
		expect(compare('uk', 'uk/x', en, uk).sort()).toEqual([
			'uk/x: a has {{naam}}, not {{name}}',
			'uk/x: missing b',
			'uk/x: n_many is missing',
			'uk/x: n_two is never used in uk'
		]);
		expect(compare('tr', 'tr/x', en, new Map([...en, ['n_other', 'günler']]))).toEqual([
			'tr/x: n_other has none, not {{n}}'
		]);
	});

	// planning.json also holds the planner's staff texts (nl and en only); its errors reach applicants.
	it('gives the planner errors in every applicant language', () => {
		const errors = (lang: string) =>
			Object.keys(
				JSON.parse(readFileSync(`${dir}/${lang}/planning.json`, 'utf8')).errors as object
			).sort();
		for (const lang of applicantLanguages) expect(errors(lang), lang).toEqual(errors('en'));
	});

	it('keeps the placeholders of the English text in Dutch in the staff and planner texts', () => {
		expect(problems('nl', 'planning').filter((p) => / has /.test(p))).toEqual([]);
	});

	it('says for every language whether its texts are a source, a reviewed translation or a machine draft', () => {
		const review = translations as Record<string, { status: string }>;
		expect(Object.keys(review).sort()).toEqual([...applicantLanguages].sort());
		for (const lang of ['nl', 'en']) expect(review[lang].status, lang).toBe('source');
		for (const lang of applicantLanguages)
			expect(['source', 'reviewed', 'machine-draft'], lang).toContain(review[lang].status);
	});
});
