import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';

// In Arabic and Persian text the bidirectional algorithm shows 1990-04-27 as 27-04-1990: digits
// after Arabic letters become Arabic numbers, and a hyphen does not hold those together. A
// left-to-right isolate (U+2066 … U+2069) keeps an example date in the order the text describes.
describe('dates in right-to-left texts', () => {
	for (const lang of ['ar', 'fa'])
		it(`${lang}: every year-month-day example stands in a left-to-right isolate`, () => {
			const bare: string[] = [];
			const walk = (file: string, value: unknown): void => {
				if (typeof value === 'string') {
					for (const m of value.matchAll(/(.?)\d{4}-\d{2}-\d{2}(.?)/gu))
						if (m[1] !== '\u2066' || m[2] !== '\u2069') bare.push(`${file}: ${value}`);
				} else if (value && typeof value === 'object')
					for (const v of Object.values(value)) walk(file, v);
			};
			for (const file of readdirSync(`src/lib/i18n/locales/${lang}`))
				walk(file, JSON.parse(readFileSync(`src/lib/i18n/locales/${lang}/${file}`, 'utf8')));
			expect(bare).toEqual([]);
		});
});
