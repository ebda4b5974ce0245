/**
 * An estimate's range as people read it: under two weeks in days, else in weeks; rounded outwards,
 * so that the range stays true.
 */
export function turnRange(
	lowWeeks: number,
	highWeeks: number
): { unit: 'days' | 'weeks'; low: number; high: number } {
	const perWeek = highWeeks < 2 ? 7 : 1;
	return {
		unit: perWeek === 7 ? 'days' : 'weeks',
		low: Math.floor(lowWeeks * perWeek),
		high: Math.ceil(highWeeks * perWeek)
	};
}
