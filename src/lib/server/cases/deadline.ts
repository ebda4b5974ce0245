import Holidays from 'date-holidays';
import type { Term } from '$lib/server/products/catalogue';
import { addDays, addMonths, dutchDate, weekdayOf, type IsoDate } from '$lib/time';

export type { Term };

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

export function addTerm(date: IsoDate, term: Term): IsoDate {
	return term.unit === 'months' ? addMonths(date, term.value) : addDays(date, term.value);
}

export function isWorkingDay(date: IsoDate): boolean {
	const weekday = weekdayOf(date);
	if (weekday === 0 || weekday === 6) return false;
	return !holidaysOf(Number(date.slice(0, 4))).has(date);
}

/** The working day on or before `date`. */
export function previousWorkingDay(date: IsoDate): IsoDate {
	let day = date;
	while (!isWorkingDay(day)) day = addDays(day, -1);
	return day;
}

/** Working days from `first` to `last`, both included. */
export function workingDaysBetween(first: IsoDate, last: IsoDate): IsoDate[] {
	const result: IsoDate[] = [];
	for (let d = first; d <= last; d = addDays(d, 1)) if (isWorkingDay(d)) result.push(d);
	return result;
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
