import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatNumber } from '$lib/i18n/format';

const moment = new Date('2027-02-03T12:00:00Z'); // 13:00 in Amsterdam, a Wednesday

describe('dates and numbers in Tigrinya, the same in the browser as on the server', () => {
	it('names months and weekdays in Tigrinya, in Amsterdam time', () => {
		expect(formatDate('ti', '2027-02-03')).toBe('3 ለካቲት 2027');
		expect(formatDateTime('ti', moment)).toBe('3 ለካቲት 2027 ሰዓት 13:00');
		expect(formatDate('ti', moment, { dateStyle: 'full', timeStyle: 'short' })).toMatch(
			/^ረቡዕ፣ 3 ለካቲት 2027 ሰዓት 13:00$/
		);
		expect(formatDate('ti', moment, { day: 'numeric', month: 'short' })).toBe('3 ለካ');
		expect(formatDate('ti', moment, { hour: '2-digit', minute: '2-digit' })).toBe('13:00');
		expect(formatNumber('ti', 1234.5)).toBe('1,234.5');
	});

	it('uses the names of CLDR (Node’s ICU) for every month and weekday', () => {
		for (let m = 0; m < 12; m++) {
			const day = new Date(Date.UTC(2027, m, 15, 12));
			for (const width of ['long', 'short'] as const) {
				const icu = new Intl.DateTimeFormat('ti-ER', { month: width, timeZone: 'UTC' })
					.formatToParts(day)
					.find((p) => p.type === 'month')!.value;
				expect(formatDate('ti', day, { day: 'numeric', month: width })).toContain(icu);
			}
		}
		for (let d = 0; d < 7; d++) {
			const day = new Date(Date.UTC(2027, 1, 7 + d, 12));
			const icu = new Intl.DateTimeFormat('ti-ER', { weekday: 'long', timeZone: 'UTC' }).format(
				day
			);
			expect(formatDate('ti', day, { weekday: 'long' })).toBe(icu);
		}
	});

	it('leaves the other languages to Intl', () => {
		expect(formatDate('tr', '2027-02-03')).toBe('3 Şubat 2027');
		expect(formatDate('uk', '2027-02-03')).toBe('3 лютого 2027 р.');
		expect(formatDate('ar', '2027-02-03')).toBe('3 فبراير 2027');
	});
});

describe('formatted moments, remembered per minute', () => {
	it('shows the same minute for every second of it, and each second where seconds show', () => {
		expect(formatDateTime('en', '2027-02-03T12:00:10Z')).toBe('3 February 2027 at 13:00');
		expect(formatDateTime('en', '2027-02-03T12:00:50Z')).toBe('3 February 2027 at 13:00');
		expect(formatDateTime('en', '2027-02-03T12:01:00Z')).toBe('3 February 2027 at 13:01');
		const seconds = { hour: '2-digit', minute: '2-digit', second: '2-digit' } as const;
		expect(formatDate('en', '2027-02-03T12:00:10Z', seconds)).toBe('13:00:10');
		expect(formatDate('en', '2027-02-03T12:00:50Z', seconds)).toBe('13:00:50');
		expect(formatDate('en', '2027-02-03T12:00:50Z', { timeStyle: 'medium' })).toBe('13:00:50');
	});
});

describe('formatted values, remembered per format', () => {
	it('keeps the results of each language and options apart', () => {
		expect(formatNumber('en', 0.8, { style: 'percent' })).toBe('80%');
		expect(formatNumber('en', 0.8)).toBe('0.8');
		expect(formatNumber('nl', 1234)).toBe('1.234');
		expect(formatNumber('en', 1234)).toBe('1,234');
		const options = { day: 'numeric', month: 'long' } as const;
		expect(formatDate('en', '2027-02-03', options)).toBe('3 February');
		expect(formatDate('en', '2027-02-03', { ...options, month: 'short' })).toBe('3 Feb');
		expect(formatDate('nl', '2027-02-03', options)).toBe('3 februari');
		expect(formatDate('en', '2027-02-04', options)).toBe('4 February');
	});

	it('shows a zero that came out negative as zero', () => {
		expect(formatNumber('en', -0)).toBe('0');
		expect(formatNumber('en', 0)).toBe('0');
		expect(formatNumber('en', -1)).toBe('-1');
	});
});
