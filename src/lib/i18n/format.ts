import { TIME_ZONE } from '$lib/time';
import { languageOf, defaultLanguage } from './index';

function locale(lang: string): string {
	return (languageOf(lang) ?? languageOf(defaultLanguage)!).locale;
}

// Building an Intl formatter costs far more than using one; a page formats dozens of values.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function numberFormat(lang: string, options?: Intl.NumberFormatOptions): Intl.NumberFormat {
	const key = `${lang}|${JSON.stringify(options ?? {})}`;
	let format = numberFormats.get(key);
	if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(locale(lang), options)));
	return format;
}

function dateFormat(lang: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
	const key = `${lang}|${JSON.stringify(options)}`;
	let format = dateFormats.get(key);
	if (!format)
		dateFormats.set(
			key,
			(format = new Intl.DateTimeFormat(locale(lang), { timeZone: TIME_ZONE, ...options }))
		);
	return format;
}

export function formatNumber(
	lang: string,
	value: number,
	options?: Intl.NumberFormatOptions
): string {
	return numberFormat(lang, options).format(value);
}

/** A calendar date (`YYYY-MM-DD` or a moment) in the user's language, e.g. "3 februari 2027". */
export function formatDate(
	lang: string,
	value: string | Date,
	options: Intl.DateTimeFormatOptions = { dateStyle: 'long' }
): string {
	const date =
		typeof value === 'string' && value.length === 10
			? new Date(`${value}T12:00:00Z`)
			: new Date(value);
	return dateFormat(lang, options).format(date);
}

export function formatDateTime(lang: string, value: string | Date): string {
	return formatDate(lang, value, { dateStyle: 'long', timeStyle: 'short' });
}

const ageUnits: [Intl.RelativeTimeFormatUnit, number][] = [
	['day', 86_400_000],
	['hour', 3_600_000],
	['minute', 60_000]
];

/** How long ago a moment was, in the largest whole unit: "3 uur geleden", "1 day ago", "now". */
export function formatAge(lang: string, value: string | Date, now: number = Date.now()): string {
	const elapsed = Math.max(0, now - new Date(value).getTime());
	// Under a minute: "now" ("0 seconds ago" with numeric: 'auto').
	const [unit, size] = ageUnits.find(([, size]) => elapsed >= size) ?? ['second', Infinity];
	const numeric = unit === 'second' ? 'auto' : 'always';
	return new Intl.RelativeTimeFormat(locale(lang), { numeric }).format(
		-Math.floor(elapsed / size),
		unit
	);
}
