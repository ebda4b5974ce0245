/**
 * The weekly history of a queue, as `estimateTurn` takes it, from its exits and priority entries
 * per Dutch calendar day. The one function both the case page (daily counts from SQL, see
 * queue-history.service.ts) and the backtest (daily counts from the simulator) go through, so
 * the backtest measures what applicants are shown. Pure: no database, no clock.
 */
import { addDays, daysBetween, startOfDutchDay, weekStartOf, type IsoDate } from '$lib/time';
import { DEFAULT_OPTIONS, type QueueHistory } from './estimator';

const WEEK_MS = 7 * 86_400_000;

/** What left (served or withdrawn) and what joined the priority stream of one queue on one day. */
export interface DailyQueueCounts {
	day: IsoDate;
	exits: number;
	priorityEntries: number;
}

export interface WeekCount {
	firstDay: IsoDate;
	lastDay: IsoDate;
	exits: number;
}

export interface WeeklyHistory {
	history: QueueHistory;
	/** The weeks of `history`, for charts (oldest first). */
	weeks: WeekCount[];
}

export interface HistoryWindow {
	/** The moment of the estimate: the complete weeks (Monday to Sunday, Dutch time) before it count. */
	now: Date | number;
	/** How many complete weeks to count at most (default 26). */
	weeks?: number;
	/**
	 * The first moment the data covers (e.g. the first queue entry in the database). Weeks that
	 * end before it are unknown, not weeks without exits, and are left out. Null: no data at all.
	 */
	since: Date | number | null;
}

const ms = (t: Date | number) => (typeof t === 'number' ? t : t.getTime());

/** The days of one queue, in any order, into complete Dutch weeks before `now`, oldest first. */
export function weeklyHistory(
	days: Iterable<DailyQueueCounts>,
	window: HistoryWindow
): WeeklyHistory {
	const now = ms(window.now);
	const count = window.weeks ?? DEFAULT_OPTIONS.maxWeeks;
	const thisMonday = weekStartOf(now);
	const firstMonday = addDays(thisMonday, -7 * count);
	const exits = new Array<number>(count).fill(0);
	const priority = new Array<number>(count).fill(0);
	for (const d of days) {
		if (d.day < firstMonday || d.day >= thisMonday) continue;
		const week = Math.floor(daysBetween(firstMonday, d.day) / 7);
		exits[week] += d.exits;
		priority[week] += d.priorityEntries;
	}
	const since = window.since === null ? now : ms(window.since);
	let first = 0;
	while (first < count && startOfDutchDay(addDays(firstMonday, 7 * (first + 1))).getTime() <= since)
		first++;
	const weeks: WeekCount[] = [];
	for (let i = first; i < count; i++) {
		const firstDay = addDays(firstMonday, 7 * i);
		weeks.push({ firstDay, lastDay: addDays(firstDay, 6), exits: exits[i] });
	}
	return {
		history: {
			exitsPerWeek: exits.slice(first),
			priorityEntriesPerWeek: priority.slice(first),
			weeksSinceEnd: Math.max(0, (now - startOfDutchDay(thisMonday).getTime()) / WEEK_MS)
		},
		weeks
	};
}
