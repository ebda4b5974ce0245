import { TIME_ZONE } from '$lib/time';
import { languageOf, defaultLanguage } from './languages';
import { BoundedMap } from './memo';

function locale(lang: string): string {
	return (languageOf(lang) ?? languageOf(defaultLanguage)!).locale;
}

/**
 * A format of a language and its results so far, by the value formatted. Building an Intl
 * formatter costs far more than using one, and using one (ICU) costs more than a lookup: a page
 * formats dozens of values, mostly the same weeks, days and counts for everyone in a language.
 * The values are numbers (a moment as milliseconds or minutes), so a lookup builds no key.
 */
interface Remembered<F> {
	format: F;
	results: BoundedMap<string, number>;
}

const RESULTS_PER_FORMAT = 5_000;
const numberFormats = new Map<string, Remembered<Intl.NumberFormat>>();
// By language, then by style: the style of an options object used again is looked up, not
// written out (`styleOf`).
const dateFormats = new Map<string, Map<string, Remembered<(date: Date) => string>>>();
const styles = new WeakMap<Intl.DateTimeFormatOptions, string>();

function numberFormat(lang: string, options?: Intl.NumberFormatOptions) {
	// Most numbers have no options: their key is only the language.
	const key = options ? `${lang}|${JSON.stringify(options)}` : lang;
	let known = numberFormats.get(key);
	if (!known)
		numberFormats.set(
			key,
			(known = {
				format: new Intl.NumberFormat(locale(lang), options),
				results: new BoundedMap(RESULTS_PER_FORMAT)
			})
		);
	return known;
}

function styleOf(options: Intl.DateTimeFormatOptions): string {
	let style = styles.get(options);
	if (style === undefined) styles.set(options, (style = JSON.stringify(options)));
	return style;
}

function dateFormatOf(lang: string, options: Intl.DateTimeFormatOptions) {
	let ofLanguage = dateFormats.get(lang);
	if (!ofLanguage) dateFormats.set(lang, (ofLanguage = new Map()));
	const style = styleOf(options);
	let known = ofLanguage.get(style);
	if (!known) {
		const names = borrowed[lang];
		const intl = names ? dateFormat(names.locale, options, true) : dateFormat(lang, options);
		ofLanguage.set(
			style,
			(known = {
				format: names
					? (date) => formatBorrowed(names, intl, date, options)
					: (date) => intl.format(date),
				results: new BoundedMap(RESULTS_PER_FORMAT)
			})
		);
	}
	return known;
}

/** An Intl date format of a language, or with `asLocale` of a locale. */
function dateFormat(
	lang: string,
	options: Intl.DateTimeFormatOptions,
	asLocale = false
): Intl.DateTimeFormat {
	return new Intl.DateTimeFormat(asLocale ? lang : locale(lang), {
		timeZone: TIME_ZONE,
		...options
	});
}

/**
 * Languages whose calendar names Chromium's ICU leaves out (it formats Tigrinya dates as
 * "2027 M02 3") while Node's has them: the page would change its dates while it hydrates. They
 * are formatted by Intl in a locale with the same order everywhere, and given their own names.
 */
const borrowed: Record<
	string,
	{
		locale: string;
		month: Record<'long' | 'short', string[]>;
		weekday: Record<'long' | 'short', string[]>;
		at: string;
		comma: string;
	}
> = {
	// Names as in CLDR (Node's ICU) for ti-ER; the order of en-GB is Tigrinya's: weekday, day, month, year.
	ti: {
		locale: 'en-GB',
		month: {
			long: [
				'ጥሪ',
				'ለካቲት',
				'መጋቢት',
				'ሚያዝያ',
				'ጉንበት',
				'ሰነ',
				'ሓምለ',
				'ነሓሰ',
				'መስከረም',
				'ጥቅምቲ',
				'ሕዳር',
				'ታሕሳስ'
			],
			short: ['ጥሪ', 'ለካ', 'መጋ', 'ሚያ', 'ግን', 'ሰነ', 'ሓም', 'ነሓ', 'መስ', 'ጥቅ', 'ሕዳ', 'ታሕ']
		},
		weekday: {
			long: ['ሰንበት', 'ሰኑይ', 'ሰሉስ', 'ረቡዕ', 'ሓሙስ', 'ዓርቢ', 'ቀዳም'],
			short: ['ሰን', 'ሰኑ', 'ሰሉ', 'ረቡ', 'ሓሙ', 'ዓር', 'ቀዳ']
		},
		at: ' ሰዓት ',
		comma: '፣ '
	}
};

// The month and weekday of a moment in Amsterdam, as numbers: from en-GB, which every ICU has.
const calendarParts = new Intl.DateTimeFormat('en-GB', {
	timeZone: TIME_ZONE,
	month: 'numeric',
	weekday: 'short'
});
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function formatBorrowed(
	names: (typeof borrowed)[string],
	intl: Intl.DateTimeFormat,
	date: Date,
	options: Intl.DateTimeFormatOptions
): string {
	const at = calendarParts.formatToParts(date);
	const month = Number(at.find((p) => p.type === 'month')!.value) - 1;
	const weekday = WEEKDAYS.indexOf(at.find((p) => p.type === 'weekday')!.value);
	const width = (part: 'month' | 'weekday') =>
		options[part] === 'long' ||
		options.dateStyle === 'full' ||
		(part === 'month' && options.dateStyle === 'long')
			? 'long'
			: 'short';
	return intl
		.formatToParts(date)
		.map((p) => {
			if (p.type === 'month' && !/^\d+$/.test(p.value)) return names.month[width('month')][month];
			if (p.type === 'weekday') return names.weekday[width('weekday')][weekday];
			if (p.type === 'literal' && /\p{L}/u.test(p.value)) return names.at;
			if (p.type === 'literal' && p.value.includes(',')) return names.comma;
			return p.value;
		})
		.join('');
}

export function formatNumber(
	lang: string,
	value: number,
	options?: Intl.NumberFormatOptions
): string {
	// A zero that a subtraction made negative reads as zero, not "-0".
	const n = value === 0 ? 0 : value;
	const { format, results } = numberFormat(lang, options);
	return results.get(n) ?? results.set(n, format.format(n));
}

/** A calendar date (`YYYY-MM-DD` or a moment) in the user's language, e.g. "3 februari 2027". */
export function formatDate(
	lang: string,
	value: string | Date,
	options: Intl.DateTimeFormatOptions = LONG_DATE
): string {
	const date =
		typeof value === 'string' && value.length === 10
			? new Date(`${value}T12:00:00Z`)
			: new Date(value);
	const { format, results } = dateFormatOf(lang, options);
	// Without seconds, every moment of a minute reads the same: a moment such as when the page was
	// made is then formatted once a minute, not on each request, and does not crowd out the rest.
	const time = date.getTime();
	const moment = showsSeconds(options) ? time : Math.floor(time / 60_000);
	return results.get(moment) ?? results.set(moment, format(date));
}

const showsSeconds = (options: Intl.DateTimeFormatOptions): boolean =>
	options.second !== undefined ||
	options.fractionalSecondDigits !== undefined ||
	(options.timeStyle !== undefined && options.timeStyle !== 'short');

const LONG_DATE: Intl.DateTimeFormatOptions = { dateStyle: 'long' };

const LONG_DATE_TIME: Intl.DateTimeFormatOptions = { dateStyle: 'long', timeStyle: 'short' };

export function formatDateTime(lang: string, value: string | Date): string {
	return formatDate(lang, value, LONG_DATE_TIME);
}
