/**
 * Kinds of queue for the backtest (issue 13): one FIFO queue each, served on working days, with
 * its own inflow and capacity over time. The parameters and seeds are fixed here, in a commit of
 * their own, before the estimator is tuned on them, so that the figures speak of queues the
 * model was not fitted to.
 *
 * A queue's own variability (day-to-day counts, a capacity that moves from week to week, a
 * season, a drift, a steady rise) is something its past shows, and the estimate is expected to
 * hold 75–90 % there. A change that nothing before it shows (a step, a surge, a drop after
 * "now") is listed in `changes`: an estimate whose wait spans one is scored apart, as a future
 * shock.
 */
import { createRandom, stochasticCount } from '../../../src/lib/server/demo/random';
import { addDays, dutchMoment, type IsoDate } from '../../../src/lib/time';
import type { QueueSpan } from './queue-days';

export const KIND_NAMES = [
	'steady',
	'step_up',
	'step_down',
	'inflow_surge',
	'seasonal',
	'low_volume',
	'drifting',
	'long_backlog',
	'growing_backlog',
	'rising_capacity',
	'future_shock'
] as const;
export type KindName = (typeof KIND_NAMES)[number];

/** Five seeds per kind: at least 2,000 scored estimates each. */
export const KIND_SEEDS = [11, 23, 37, 41, 53] as const;

export interface QueueKind {
	name: KindName;
	/** Weeks simulated; estimates are made from week 26 on, while every case then waiting is served before the end. */
	weeks: number;
	/** Cases waiting on the first day. */
	backlog: number;
	/** Expected arrivals per working day in week `w` (0-based). */
	inflow(w: number): number;
	/** Cases the office can serve per working day in week `w`, before the week's own noise. */
	capacity(w: number): number;
	/** Standard deviation of the log of a week's capacity around `capacity(w)`: the week-to-week swing. */
	weeklyNoise: number;
	/** Standard deviation per week of a random walk in log capacity (0: none). */
	drift?: number;
	/** Weeks in which something changes that the weeks before do not show. */
	changes: number[];
}

const BASE = 40;

export const QUEUE_KINDS: Record<KindName, QueueKind> = {
	// Inflow equals capacity: a backlog of about ten weeks that wanders a little.
	steady: {
		name: 'steady',
		weeks: 160,
		backlog: 2000,
		inflow: () => BASE,
		capacity: () => BASE,
		weeklyNoise: 0.08,
		changes: []
	},
	// Capacity rises by 30 % in week 70 (more officers); the backlog drains.
	step_up: {
		name: 'step_up',
		weeks: 160,
		backlog: 6000,
		inflow: () => BASE,
		capacity: (w) => (w < 70 ? BASE : BASE * 1.3),
		weeklyNoise: 0.08,
		changes: [70]
	},
	// Capacity falls by 25 % in week 70; the backlog grows.
	step_down: {
		name: 'step_down',
		weeks: 190,
		backlog: 3000,
		inflow: () => BASE,
		capacity: (w) => (w < 70 ? BASE : BASE * 0.75),
		weeklyNoise: 0.08,
		changes: [70]
	},
	// Inflow doubles for eight weeks from week 60; capacity follows four weeks later, for longer.
	inflow_surge: {
		name: 'inflow_surge',
		weeks: 170,
		backlog: 3000,
		inflow: (w) => (w >= 60 && w < 68 ? BASE * 2 : BASE),
		capacity: (w) => (w >= 64 && w < 84 ? BASE * 1.3 : BASE),
		weeklyNoise: 0.08,
		changes: [60, 64, 84]
	},
	// Capacity swings ±20 % over the year (holidays, summer); inflow is steady.
	seasonal: {
		name: 'seasonal',
		weeks: 170,
		backlog: 3000,
		inflow: () => BASE,
		capacity: (w) => BASE * (1 + 0.2 * Math.sin((2 * Math.PI * w) / 52)),
		weeklyNoise: 0.06,
		changes: []
	},
	// Two cases a day: counts are noisy and a week may see none.
	low_volume: {
		name: 'low_volume',
		weeks: 160,
		backlog: 40,
		inflow: () => 2,
		capacity: () => 2,
		weeklyNoise: 0.1,
		changes: []
	},
	// Capacity follows a random walk of 3 % a week in its log.
	drifting: {
		name: 'drifting',
		weeks: 170,
		backlog: 3000,
		inflow: () => BASE,
		capacity: () => BASE,
		weeklyNoise: 0.05,
		drift: 0.03,
		changes: []
	},
	// A year's wait: the estimate reaches far beyond the half-year it looks back on.
	long_backlog: {
		name: 'long_backlog',
		weeks: 220,
		backlog: 10_000,
		inflow: () => BASE,
		capacity: () => BASE,
		weeklyNoise: 0.08,
		changes: []
	},
	// Inflow above capacity by a fifth: the backlog and the wait grow week by week.
	growing_backlog: {
		name: 'growing_backlog',
		weeks: 200,
		backlog: 2000,
		inflow: () => BASE * 1.2,
		capacity: () => BASE,
		weeklyNoise: 0.08,
		changes: []
	},
	// Capacity rises 0.3 % a week, steadily (×1.8 over the run), and inflow follows it a little
	// below: a wait of most of a year that shortens slowly.
	rising_capacity: {
		name: 'rising_capacity',
		weeks: 200,
		backlog: 8000,
		inflow: (w) => BASE * 0.97 * 1.003 ** w,
		capacity: (w) => BASE * 1.003 ** w,
		weeklyNoise: 0.06,
		changes: []
	},
	// Steady, then capacity drops by 40 % in week 90, which no earlier week announces.
	future_shock: {
		name: 'future_shock',
		weeks: 200,
		backlog: 2000,
		inflow: () => BASE,
		capacity: (w) => (w < 90 ? BASE : BASE * 0.6),
		weeklyNoise: 0.08,
		changes: [90]
	}
};

/** Monday of the first simulated week: in the past of the portal's clock, far enough for 220 weeks. */
export const KIND_START: IsoDate = '2021-01-04';

const OPEN_MINUTES = 8 * 60;
const DAY_MINUTES = 9 * 60;

/**
 * One run of a kind: every case's stay, in order of arrival. The backlog arrived over the
 * fortnight before the first day. Cases are served first come, first served; a day serves its
 * capacity or the queue, whichever is smaller.
 */
export function simulateKind(
	kind: QueueKind,
	seed: number
): { spans: QueueSpan[]; start: number; end: number } {
	const random = createRandom(seed * 7919 + KIND_NAMES.indexOf(kind.name));
	const spans: QueueSpan[] = [];
	const firstDay = KIND_START;
	const start = dutchMoment(firstDay, 0);
	for (let i = 0; i < kind.backlog; i++)
		spans.push({
			enteredAt: start - Math.floor((random.next() * 14 + 0.01) * 86_400_000),
			leftAt: null
		});
	spans.sort((a, b) => a.enteredAt - b.enteredAt);
	let next = 0;
	let walk = 0;
	for (let w = 0; w < kind.weeks; w++) {
		if (kind.drift) walk += kind.drift * random.normal();
		const weekly = Math.exp(kind.weeklyNoise * random.normal() + walk);
		for (let d = 0; d < 5; d++) {
			const day = addDays(firstDay, 7 * w + d);
			const arrivals: number[] = [];
			for (let n = stochasticCount(kind.inflow(w), random); n > 0; n--)
				arrivals.push(Math.round(dutchMoment(day, OPEN_MINUTES + random.next() * DAY_MINUTES)));
			const served: number[] = [];
			for (let n = stochasticCount(kind.capacity(w) * weekly, random); n > 0; n--)
				served.push(dutchMoment(day, OPEN_MINUTES + random.next() * DAY_MINUTES));
			arrivals.sort((a, b) => a - b);
			served.sort((a, b) => a - b);
			// Arrivals join as they come; each service takes the longest waiting case, if any.
			let a = 0;
			for (const at of served) {
				while (a < arrivals.length && arrivals[a] < at)
					spans.push({ enteredAt: arrivals[a++], leftAt: null });
				if (next < spans.length) spans[next++].leftAt = Math.round(at);
			}
			while (a < arrivals.length) spans.push({ enteredAt: arrivals[a++], leftAt: null });
		}
	}
	return { spans, start, end: dutchMoment(addDays(firstDay, 7 * kind.weeks), 0) };
}
