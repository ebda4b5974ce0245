/**
 * An estimate's range as people read it: under two weeks in days, else in weeks, each end rounded
 * to the nearest. The backtest scores this, read as dates, against the turn that followed.
 * Rounded outwards, a whole week was added at both ends, and "80 %" held 98 % of real waits
 * in every kind of queue.
 */
export function turnRange(
	lowWeeks: number,
	highWeeks: number
): { unit: 'days' | 'weeks'; low: number; high: number } {
	const low = Math.round(lowWeeks);
	const high = Math.round(highWeeks);
	// "In 3 to 3 weeks" says less than the days it stands for.
	if (highWeeks < 2 || low === high)
		return { unit: 'days', low: Math.round(lowWeeks * 7), high: Math.round(highWeeks * 7) };
	return { unit: 'weeks', low, high };
}

export interface ShownTurn {
	unit: 'days' | 'weeks';
	low: number;
	high: number;
	/** The most likely moment, kept within the range as shown (rounding can move its ends). */
	likely: number;
}

/** An estimate's range and its most likely moment, in the unit the page shows them. */
export function shownTurn(turn: {
	pointWeeks: number;
	lowWeeks: number;
	highWeeks: number;
}): ShownTurn {
	const range = turnRange(turn.lowWeeks, turn.highWeeks);
	const point = turn.pointWeeks * (range.unit === 'days' ? 7 : 1);
	return { ...range, likely: Math.min(range.high, Math.max(range.low, point)) };
}

const DAY_MS = 86_400_000;

/** The moment `count` days or weeks after `from` (an estimate's time of computation). */
export function momentAfter(from: string | number | Date, count: number, unit: ShownTurn['unit']) {
	return new Date(new Date(from).getTime() + count * (unit === 'days' ? DAY_MS : 7 * DAY_MS));
}
