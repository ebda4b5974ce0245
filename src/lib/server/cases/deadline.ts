import Holidays from 'date-holidays';
import type { TermUnit } from '$lib/server/db/schema';

/** A calendar date as `YYYY-MM-DD`. */
export type IsoDate = string;

export interface Term {
	value: number;
	unit: TermUnit;
}

const TIME_ZONE = 'Europe/Amsterdam';
const dutchHolidays = new Holidays('NL');
// The Algemene termijnenwet counts New Year, Easter Monday, King's Day, Ascension, Whit Monday
// and Christmas (date-holidays' "public" days), Good Friday (by decree) and the fifth of May.
const TERM_ACT_EXTRA_RULES = new Set(['easter -2', '05-05']);
const holidayCache = new Map<number, Set<IsoDate>>();

function holidaysOf(year: number): Set<IsoDate> {
	let days = holidayCache.get(year);
	if (!days) {
		days = new Set(
			dutchHolidays
				.getHolidays(year)
				.filter((h) => h.type === 'public' || TERM_ACT_EXTRA_RULES.has(h.rule))
				.map((h) => h.date.slice(0, 10))
		);
		holidayCache.set(year, days);
	}
	return days;
}

/** The calendar date in the Netherlands at a moment. */
const dutchDateFormat = new Intl.DateTimeFormat('en-CA', {
	timeZone: TIME_ZONE,
	year: 'numeric',
	month: '2-digit',
	day: '2-digit'
});

export function dutchDate(moment: Date): IsoDate {
	return dutchDateFormat.format(moment);
}

function toUtc(date: IsoDate): Date {
	return new Date(`${date}T00:00:00Z`);
}

function fromUtc(date: Date): IsoDate {
	return date.toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
	const d = toUtc(date);
	d.setUTCDate(d.getUTCDate() + days);
	return fromUtc(d);
}

/** Adds whole months; a day that the target month lacks becomes its last day (31 Aug + 6 → 28/29 Feb). */
export function addMonths(date: IsoDate, months: number): IsoDate {
	const [y, m, d] = date.split('-').map(Number);
	const target = new Date(Date.UTC(y, m - 1 + months, 1));
	const lastDay = new Date(
		Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)
	).getUTCDate();
	target.setUTCDate(Math.min(d, lastDay));
	return fromUtc(target);
}

export function addTerm(date: IsoDate, term: Term): IsoDate {
	return term.unit === 'months' ? addMonths(date, term.value) : addDays(date, term.value);
}

export function isWorkingDay(date: IsoDate): boolean {
	const weekday = toUtc(date).getUTCDay();
	if (weekday === 0 || weekday === 6) return false;
	return !holidaysOf(Number(date.slice(0, 4))).has(date);
}

/** A term that ends on a Saturday, Sunday or public holiday runs on to the next working day. */
export function nextWorkingDay(date: IsoDate): IsoDate {
	let day = date;
	while (!isWorkingDay(day)) day = addDays(day, 1);
	return day;
}

/** The legal deadline for a decision on an application submitted at `submittedAt`. */
export function legalDeadline(submittedAt: Date, term: Term): IsoDate {
	return nextWorkingDay(addTerm(dutchDate(submittedAt), term));
}

/** The latest deadline an extension may set: the original term plus the product's extension. */
export function latestExtendedDeadline(
	submittedAt: Date,
	term: Term,
	extension: Term | null
): IsoDate {
	if (!extension) return legalDeadline(submittedAt, term);
	return nextWorkingDay(addTerm(addTerm(dutchDate(submittedAt), term), extension));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
	return Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / 86_400_000);
}
