import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';

const dir = 'src/lib/i18n/locales';
const applicantNamespaces = [
	'common',
	'auth',
	'cases',
	'domain',
	'statistics',
	'email',
	'how',
	'appointment',
	'triage'
];
const staffNamespaces = ['referent', 'counter', 'staff', 'admin', 'triage_staff'];

function keys(lang: string, namespace: string): string[] {
	const flat = (value: unknown, prefix = ''): string[] =>
		value && typeof value === 'object' && !Array.isArray(value)
			? Object.entries(value).flatMap(([k, v]) =>
					flat(v, prefix + k.replace(/_(zero|one|two|few|many|other)$/, '') + '.')
				)
			: [prefix.slice(0, -1)];
	return [
		...new Set(flat(JSON.parse(readFileSync(`${dir}/${lang}/${namespace}.json`, 'utf8'))))
	].sort();
}

function placeholders(lang: string, namespace: string): Map<string, string[]> {
	const found = new Map<string, string[]>();
	const walk = (value: unknown, prefix: string) => {
		if (typeof value === 'string')
			found.set(prefix, [...new Set(value.match(/\{\{\w+\}\}/g) ?? [])].sort());
		else if (value && typeof value === 'object')
			for (const [k, v] of Object.entries(value)) walk(v, `${prefix}.${k}`);
	};
	walk(JSON.parse(readFileSync(`${dir}/${lang}/${namespace}.json`, 'utf8')), '');
	return found;
}

describe('translations', () => {
	it('has every namespace in every language that needs it', () => {
		for (const lang of ['nl', 'en', 'ar', 'fa'])
			expect(readdirSync(`${dir}/${lang}`).map((f) => f.replace('.json', ''))).toEqual(
				expect.arrayContaining(applicantNamespaces)
			);
		for (const lang of ['nl', 'en'])
			expect(readdirSync(`${dir}/${lang}`).map((f) => f.replace('.json', ''))).toEqual(
				expect.arrayContaining(staffNamespaces)
			);
	});

	it('gives the same texts in every language, so no visitor sees a key or a fallback', () => {
		for (const ns of applicantNamespaces)
			for (const lang of ['nl', 'ar', 'fa'])
				expect(keys(lang, ns), `${lang}/${ns}`).toEqual(keys('en', ns));
		for (const ns of staffNamespaces) expect(keys('nl', ns), `nl/${ns}`).toEqual(keys('en', ns));
	});

	// planning.json also holds the planner's staff texts (nl and en only); its errors reach applicants.
	it('gives the planner errors in every applicant language', () => {
		const errors = (lang: string) =>
			Object.keys(
				JSON.parse(readFileSync(`${dir}/${lang}/planning.json`, 'utf8')).errors as object
			).sort();
		for (const lang of ['nl', 'ar', 'fa']) expect(errors(lang), lang).toEqual(errors('en'));
	});

	it('keeps the placeholders of the English text in Dutch', () => {
		for (const ns of [...applicantNamespaces, ...staffNamespaces]) {
			const en = placeholders('en', ns);
			for (const [key, names] of placeholders('nl', ns))
				if (en.has(key)) expect(names, `nl/${ns}${key}`).toEqual(en.get(key));
		}
	});
});
