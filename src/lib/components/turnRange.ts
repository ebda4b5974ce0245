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
