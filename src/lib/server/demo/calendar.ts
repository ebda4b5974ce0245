/**
 * The demo's calendar: office hours on Dutch working days, stays of whole days, and the months
 * of the history. Dutch time itself comes from $lib/time, working days from cases/deadline.
 */
import { addDays, dutchDate, dutchMoment, type IsoDate } from '$lib/time';
import { nextWorkingDay } from '$lib/server/cases/deadline';
import type { Random } from './random';

export const OFFICE_START_MINUTES = 8 * 60 + 30;
export const OFFICE_MINUTES = 8 * 60 + 30;
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

/** How long a case stays in a stage: whole days (at office hours), or an exact span. */
export type Stay = { minDays: number; maxDays: number } | { exactDays: number };

export const days = (minDays: number, maxDays: number): Stay => ({ minDays, maxDays });

/** A random moment during office hours on `day`. */
export function officeMoment(day: IsoDate, random: Random): number {
	return dutchMoment(day, OFFICE_START_MINUTES + Math.floor(random.next() * OFFICE_MINUTES));
}

/** The next moment, `stay` after `from`: whole days later at office hours, or an exact span. */
export function after(from: number, stay: Stay, random: Random): number {
	if ('exactDays' in stay) return from + stay.exactDays * DAY_MS;
	const day = nextWorkingDay(addDays(dutchDate(from), random.int(stay.minDays, stay.maxDays)));
	const at = officeMoment(day, random);
	return at > from ? at : from + random.int(5, 60) * MINUTE_MS;
}

export interface Month {
	index: number;
	days: IsoDate[];
}

export function monthsOf(workingDays: IsoDate[]): Month[] {
	const months: Month[] = [];
	for (const day of workingDays) {
		const last = months[months.length - 1];
		if (last && last.days[0].slice(0, 7) === day.slice(0, 7)) last.days.push(day);
		else months.push({ index: months.length, days: [day] });
	}
	return months;
}
