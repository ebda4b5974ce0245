/**
 * Dutch time: the one place that knows the service runs on Europe/Amsterdam. Calendar days,
 * week starts (Monday 00:00 in Amsterdam), day arithmetic for deadlines and the zone pages
 * format in. Daylight saving comes from Intl's time-zone data, never from a rule written here.
 * Browser-safe: no server imports.
 */

export const TIME_ZONE = 'Europe/Amsterdam';

/** A calendar date as `YYYY-MM-DD`. */
export type IsoDate = string;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const partsFormat = new Intl.DateTimeFormat('en-US', {
	timeZone: TIME_ZONE,
	hourCycle: 'h23',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
	second: '2-digit'
});

// Amsterdam changes its offset only on a whole UTC hour, so one lookup per hour suffices; the
// simulator asks for hundreds of thousands of moments.
const offsetByHour = new Map<number, number>();

/** Minutes Amsterdam is ahead of UTC at a moment (60 in winter, 120 in summer). */
export function offsetMinutes(moment: Date | number): number {
	const ms = typeof moment === 'number' ? moment : moment.getTime();
	const hour = Math.floor(ms / HOUR_MS);
	let offset = offsetByHour.get(hour);
	if (offset === undefined) {
		const at = hour * HOUR_MS;
		const p = Object.fromEntries(
			partsFormat.formatToParts(at).map((part) => [part.type, part.value])
		);
		const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
		offset = Math.round((wall - at) / MINUTE_MS);
		offsetByHour.set(hour, offset);
	}
	return offset;
}

/** The calendar date in the Netherlands at a moment. */
export function dutchDate(moment: Date | number): IsoDate {
	const ms = typeof moment === 'number' ? moment : moment.getTime();
	return new Date(ms + offsetMinutes(ms) * MINUTE_MS).toISOString().slice(0, 10);
}

/**
 * The moment of a Dutch wall-clock time: `minutes` after the start of `day`. The offset is read
 * two hours (Amsterdam's largest offset) before the wall time taken as UTC, which is never after
 * the moment itself: a time skipped in March is read in winter time, and a time that occurs
 * twice in October is the first, summer-time one.
 */
export function dutchMoment(day: IsoDate, minutes = 0): number {
	const wall = Date.parse(`${day}T00:00:00Z`) + minutes * MINUTE_MS;
	return wall - offsetMinutes(wall - 2 * HOUR_MS) * MINUTE_MS;
}

/**
 * The moment of a Dutch wall-clock time `HH:MM` on `day`, e.g. a hearing at 09:30 in The Hague.
 * A time that does not exist (02:30 on the last Sunday of March) and one that occurs twice (02:30
 * on the last Sunday of October) are read as `dutchMoment` reads them.
 */
export function dutchWallTime(day: IsoDate, time: string): Date {
	const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
	if (!match) throw new Error(`not a time of day as HH:MM: ${time}`);
	return new Date(dutchMoment(day, Number(match[1]) * 60 + Number(match[2])));
}

/** Midnight at the start of a Dutch calendar day, as a moment. */
export function startOfDutchDay(day: IsoDate): Date {
	return new Date(dutchMoment(day, 0));
}

/** An ISO 8601 moment with the Dutch offset, as the case system writes it: `2026-07-01T09:30:00+02:00`. */
export function formatDutchMoment(moment: Date | number): string {
	const ms = typeof moment === 'number' ? moment : moment.getTime();
	const offset = offsetMinutes(ms);
	const sign = offset < 0 ? '-' : '+';
	const abs = Math.abs(offset);
	const hh = String(Math.floor(abs / 60)).padStart(2, '0');
	const mm = String(abs % 60).padStart(2, '0');
	return `${new Date(ms + offset * MINUTE_MS).toISOString().slice(0, 19)}${sign}${hh}:${mm}`;
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

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
	return Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: IsoDate): number {
	return toUtc(date).getUTCDay();
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekdayOf(date: IsoDate): number {
	return weekdayOf(date) || 7;
}

/** The Monday of the Dutch week a moment falls in. */
export function weekStartOf(moment: Date | number): IsoDate {
	const today = dutchDate(moment);
	return addDays(today, -((weekdayOf(today) + 6) % 7));
}
