import { languageOf, defaultLanguage } from './index';

const TIME_ZONE = 'Europe/Amsterdam';

function locale(lang: string): string {
	return (languageOf(lang) ?? languageOf(defaultLanguage)!).locale;
}

export function formatNumber(lang: string, value: number, options?: Intl.NumberFormatOptions): string {
	return new Intl.NumberFormat(locale(lang), options).format(value);
}

/** A calendar date (`YYYY-MM-DD` or a moment) in the user's language, e.g. "3 februari 2027". */
export function formatDate(lang: string, value: string | Date, options: Intl.DateTimeFormatOptions = { dateStyle: 'long' }): string {
	const date = typeof value === 'string' && value.length === 10 ? new Date(`${value}T12:00:00Z`) : new Date(value);
	return new Intl.DateTimeFormat(locale(lang), { timeZone: TIME_ZONE, ...options }).format(date);
}

export function formatDateTime(lang: string, value: string | Date): string {
	return formatDate(lang, value, { dateStyle: 'long', timeStyle: 'short' });
}
