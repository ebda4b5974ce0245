/**
 * Expected wait in an IND queue: pure functions, no database, no clock. The caller passes the
 * position and the queue's recent history; the same inputs always give the same output.
 *
 * Method (`estimateTurn`)
 * - The applicant's turn comes with the (ahead + 1)-th exit from the queue. For a normal-stream
 *   case, cases entering the priority stream jump ahead, so the rate that counts is the exits
 *   less the priority entries. Without any change in throughput: wait = (ahead + 1) / rate.
 * - Current rate: an exponentially weighted mean of the exits per complete week (half-life a
 *   third of the expected wait, between 3 and 8 weeks), moved to the present along the trend of
 *   the latest 8 weeks (Theil–Sen on log exits, robust to a step; shrunk towards zero by its own
 *   standard error so noise does not pass for a trend).
 * - Future rate: the trend continues damped (×0.9 per week), and the level reverts towards the
 *   mean of the history (26 weeks), moved along the history's own steady trend (Theil–Sen over
 *   all its weeks, shrunk as above), with a time constant of 13 weeks. Shocks are of two kinds:
 *   a capacity step persists, a swing in inflow (which capacity follows with a lag) passes. For
 *   a short wait the recent weeks decide; for a wait of months the half-year level weighs in.
 *   The wait solves ∫ rate = ahead + 1, integrated in steps of 1/64 of the flat-rate wait.
 * - 80 % interval: log-normal around the point. The variance of the log of the mean rate over
 *   the wait adds up (1) the level's noise: week-to-week spread / effective number of weeks;
 *   (2) a random walk in log throughput, σ² × (age of the data + wait / 3) — the mean of a
 *   random walk over h weeks has variance σ²h/3, so the range widens with the horizon; σ is the
 *   queue's own volatility from adjacent 4-week blocks, with a prior (0.08 per week) that
 *   rules when the history is too short to show it; (3) the trend's uncertainty; (4) whether the
 *   gap between the recent level and the half-year mean is permanent or passes
 *   (gap² × p(1 − p), p the share of the wait still at the recent level); (5) Poisson counting
 *   noise of the ahead + 1 exits, 1 / (ahead + 1). Added in absolute terms: ±0.75 day (sd) for
 *   working days and office hours, which dominates waits of days.
 * - σ is read from 4-week blocks one and two blocks apart: passing week-to-week noise adds the
 *   same to both, a random walk more to the second. Read from one lag alone, a steady queue's
 *   noise passed for drift and widened every long range. Its prior is 0.08 a week while the
 *   history is too short to tell the two apart (under three blocks), 0.035 once it can.
 * - Calibrated with `npm run backtest` (tests/bench/backtest.ts), scored on the range as the
 *   page shows it (turnRange, read as dates): eleven kinds of queue (steady, steps, an inflow
 *   surge, seasonal, low volume, drifting, long and growing backlogs, rising capacity, a future
 *   shock) over five seeds each, and the demo simulator's three-year history. Per kind, waits
 *   that span no unannounced change: 80–89 % inside the 80 % range.
 * The weekly history comes from history.ts, the stages after the queue from later-stages.ts.
 * A closed form plus a short integration: deterministic, microseconds per call, no random
 * numbers. Chosen over a block bootstrap of recent weeks: 26 weeks hold too few blocks to
 * resample a horizon of months, and a bootstrap cannot produce a level never seen before.
 */

/** Two-sided 80 %: the 10th and 90th percentile of a normal. */
const Z_80 = 1.2815515655446004;

export const CONFIDENCE = 0.8;

/** Message keys (never sentences): the page translates them. */
export type EstimateCaveat =
	/** No complete week of history yet. */
	| 'no_history'
	/** Fewer than `SHORT_HISTORY_WEEKS` complete weeks: the range is wide and may still move. */
	| 'short_history'
	/** No case left the queue in the latest weeks. */
	| 'stalled'
	/** The latest 4 weeks differ clearly from the weeks before (capacity or inflow changed). */
	| 'recent_change'
	/** The wait reaches well beyond the history it is computed from. */
	| 'long_horizon'
	/** Few exits per week: counts are noisy. */
	| 'low_throughput'
	/** Priority cases take a noticeable share of the exits (normal stream only). */
	| 'priority_inflow';

export type QueueStreamName = 'normal' | 'priority';

/** A queue's recent history in complete weeks, oldest first (both arrays cover the same weeks). */
export interface QueueHistory {
	/** Cases that left the queue (served or withdrawn) per complete week. */
	exitsPerWeek: readonly number[];
	/** Cases that entered the priority stream per week (they jump ahead of normal-stream cases). */
	priorityEntriesPerWeek?: readonly number[];
	/** Weeks between the end of the last complete week and the moment of the estimate (0–1). */
	weeksSinceEnd?: number;
}

export interface TurnInput {
	/** Cases served before this one (≥ 0). */
	ahead: number;
	/** The case's stream; a priority case is not overtaken by new priority entries. */
	stream?: QueueStreamName;
	history: QueueHistory;
}

interface EstimateBase {
	confidence: typeof CONFIDENCE;
	/** Complete weeks of history used. */
	basisWeeks: number;
	caveats: EstimateCaveat[];
}

export interface TurnEstimate extends EstimateBase {
	kind: 'estimate';
	/** Median expected weeks until the case's turn. */
	pointWeeks: number;
	/** The 80 % interval: the 10th and 90th percentile. */
	lowWeeks: number;
	highWeeks: number;
	/** The weighted throughput the estimate rests on (exits per week, net of priority entries). */
	throughputPerWeek: number;
}

export interface NoTurnEstimate extends EstimateBase {
	/** `no_history`: no complete week yet; `stalled`: no exits lately (or priority takes them all). */
	kind: 'no_history' | 'stalled';
	pointWeeks: null;
	lowWeeks: null;
	highWeeks: null;
	throughputPerWeek: number | null;
}

export type TurnResult = TurnEstimate | NoTurnEstimate;

export interface EstimatorOptions {
	/** At most this many most recent weeks are used. */
	maxWeeks: number;
	/** Half-life of the weekly weights = clamp(horizonFactor × expected wait, min, max) weeks. */
	halfLifeMin: number;
	halfLifeMax: number;
	halfLifeHorizonFactor: number;
	/** Prior volatility of log throughput per week (random walk σ) and its weight in 4-week blocks. */
	driftPrior: number;
	/** The prior once the history is long enough (three blocks) to tell passing noise from drift. */
	separatedDriftPrior: number;
	driftPriorWeight: number;
	/** Prior week-to-week spread of log exits and its weight in weeks. */
	noisePrior: number;
	noisePriorWeight: number;
	/** Multiplies the standard deviation of the log wait (1 = the model as derived). */
	spreadFactor: number;
	/** Weeks to fit the trend of log throughput on (0: no trend), and its damping per week ahead. */
	trendWeeks: number;
	trendDamping: number;
	/** Uncertainty (sd, days) from working days and office hours: matters for waits of days. */
	granularityDays: number;
	/** Time constant (weeks) of the reversion to the history's mean level (0: none, a pure random walk). */
	revertWeeks: number;
	/** Weight of the permanent-or-transient uncertainty of the current level's gap to the mean. */
	betweenWeight: number;
	/** Move the mean the level reverts to along the whole history's trend. */
	longTrend: boolean;
}

export const DEFAULT_OPTIONS: Readonly<EstimatorOptions> = Object.freeze({
	maxWeeks: 26,
	halfLifeMin: 3,
	halfLifeMax: 8,
	halfLifeHorizonFactor: 0.33,
	driftPrior: 0.08,
	separatedDriftPrior: 0.035,
	driftPriorWeight: 0.5,
	noisePrior: 0.15,
	noisePriorWeight: 2,
	spreadFactor: 0.9,
	trendWeeks: 8,
	trendDamping: 0.9,
	granularityDays: 0.75,
	revertWeeks: 13,
	betweenWeight: 1,
	longTrend: true
});

export const SHORT_HISTORY_WEEKS = 4;
/** No exits in this many latest weeks (or in all weeks, if fewer) means the queue has stalled. */
export const STALL_WEEKS = 3;
const BLOCK_WEEKS = 4;
const LOW_THROUGHPUT = 5;
const RECENT_CHANGE_LOG = Math.log(1.25);
const PRIORITY_SHARE_NOTICE = 0.1;
/** Below this share of the exits left for the normal stream, a normal-stream case is stalled. */
const MIN_NET_SHARE = 0.05;

function assertCounts(name: string, counts: readonly number[]): void {
	for (const c of counts)
		if (!Number.isFinite(c) || c < 0) throw new RangeError(`${name} must be counts ≥ 0, got ${c}`);
}

interface Weighted {
	level: number;
	/** Normalised weights, index 0 = newest week. */
	weights: Float64Array;
}

/** Exponentially weighted mean of `counts` (newest last) with the given half-life in weeks. */
function weightedLevel(counts: readonly number[], halfLife: number): Weighted {
	const n = counts.length;
	const weights = new Float64Array(n);
	const decay = Math.pow(0.5, 1 / halfLife);
	let w = 1;
	let total = 0;
	for (let i = 0; i < n; i++) {
		weights[i] = w;
		total += w;
		w *= decay;
	}
	let level = 0;
	for (let i = 0; i < n; i++) {
		weights[i] /= total;
		level += weights[i] * counts[n - 1 - i];
	}
	return { level, weights };
}

function weightedWith(weights: Float64Array, counts: readonly number[]): number {
	const n = counts.length;
	let sum = 0;
	for (let i = 0; i < n && i < weights.length; i++) sum += weights[i] * counts[n - 1 - i];
	return sum;
}

/**
 * Volatility of log throughput per week (a random walk's σ²), shrunk towards the prior. From
 * 4-week blocks: the squared log difference of blocks one apart and two apart. Week-to-week
 * noise that passes adds the same to both; a random walk adds σ² × T more at two blocks apart
 * than at one (T = block length). Read from one lag alone, a steady queue's passing noise would
 * pass for drift, and widen every long range.
 */
function driftVariance(counts: readonly number[], o: EstimatorOptions): number {
	const blocks: number[] = [];
	for (let end = counts.length; end - BLOCK_WEEKS >= 0; end -= BLOCK_WEEKS) {
		let sum = 0;
		for (let i = end - BLOCK_WEEKS; i < end; i++) sum += counts[i];
		blocks.push(sum);
	}
	// Less the counting noise of both blocks.
	const squaredStep = (a: number, b: number) => Math.max(0, Math.log(a / b) ** 2 - 1 / a - 1 / b);
	let one = 0;
	let ones = 0;
	let two = 0;
	let twos = 0;
	for (let j = 0; j + 1 < blocks.length; j++) {
		if (blocks[j] <= 0 || blocks[j + 1] <= 0) continue;
		one += squaredStep(blocks[j], blocks[j + 1]);
		ones++;
		if (j + 2 < blocks.length && blocks[j + 2] > 0) {
			two += squaredStep(blocks[j], blocks[j + 2]);
			twos++;
		}
	}
	const prior = o.driftPrior * o.driftPrior;
	if (twos === 0) {
		// Too short to tell noise from drift: one lag, read as drift (the wider, the safer).
		const observed = ones ? one / ones / ((2 * BLOCK_WEEKS) / 3) : 0;
		return (o.driftPriorWeight * prior + ones * observed) / (o.driftPriorWeight + ones);
	}
	const observed = Math.max(0, two / twos - one / ones) / BLOCK_WEEKS;
	const separated = o.separatedDriftPrior * o.separatedDriftPrior;
	return (o.driftPriorWeight * separated + twos * observed) / (o.driftPriorWeight + twos);
}

/** Weighted spread of the weekly log exits around the level, and the effective number of weeks. */
function levelSpread(
	counts: readonly number[],
	weights: Float64Array,
	level: number
): { spread: number; nEffective: number } {
	const n = counts.length;
	const logLevel = Math.log(level + 0.5);
	let spread = 0;
	let sumSquares = 0;
	for (let i = 0; i < n; i++) {
		const r = Math.log(counts[n - 1 - i] + 0.5) - logLevel;
		spread += weights[i] * r * r;
		sumSquares += weights[i] * weights[i];
	}
	return { spread, nEffective: 1 / sumSquares };
}

/** Σ over the weekly steps between the data and now of (weight of the data older than it)². */
function lagExposure(weights: Float64Array, weeksSinceEnd: number): number {
	let tail = 1;
	let exposure = 0.5 + weeksSinceEnd;
	for (let i = 0; i + 1 < weights.length; i++) {
		tail -= weights[i];
		exposure += tail * tail;
	}
	return exposure;
}

/**
 * Slope of log exits per week over the latest `weeks` weeks, shrunk towards 0 by its own
 * uncertainty (positive-part James–Stein), so that noise does not pass for a trend. Theil–Sen
 * (the median of the slopes between all pairs of weeks) rather than least squares: a step in
 * capacity a few weeks ago is a new level, not a slope to extrapolate.
 */
function trendSlope(counts: readonly number[], weeks: number): { slope: number; variance: number } {
	// A queue's history is one array for a minute (queue-history.service), read by every visitor's
	// estimate: the pairs of weeks are sorted once for it, not on every page view.
	let known = trendsOf.get(counts);
	if (!known) trendsOf.set(counts, (known = new Map()));
	let trend = known.get(weeks);
	if (!trend) known.set(weeks, (trend = theilSenTrend(counts, weeks)));
	return trend;
}

const trendsOf = new WeakMap<readonly number[], Map<number, { slope: number; variance: number }>>();

function theilSenTrend(
	counts: readonly number[],
	weeks: number
): { slope: number; variance: number } {
	const m = Math.min(weeks, counts.length);
	if (m < 6) return { slope: 0, variance: 0 };
	let sx = 0;
	let sy = 0;
	for (let i = 0; i < m; i++) {
		sx += i;
		sy += Math.log(counts[counts.length - m + i] + 0.5);
	}
	const mx = sx / m;
	const my = sy / m;
	let sxx = 0;
	for (let i = 0; i < m; i++) sxx += (i - mx) * (i - mx);
	// Theil–Sen: the median of the slopes between all pairs of weeks, robust to a step.
	const slopes: number[] = [];
	for (let i = 0; i < m; i++)
		for (let j = i + 1; j < m; j++)
			slopes.push(
				(Math.log(counts[counts.length - m + j] + 0.5) -
					Math.log(counts[counts.length - m + i] + 0.5)) /
					(j - i)
			);
	slopes.sort((a, b) => a - b);
	const raw =
		slopes.length % 2
			? slopes[(slopes.length - 1) / 2]
			: (slopes[slopes.length / 2 - 1] + slopes[slopes.length / 2]) / 2;
	let residual = 0;
	for (let i = 0; i < m; i++) {
		const r = Math.log(counts[counts.length - m + i] + 0.5) - my - raw * (i - mx);
		residual += r * r;
	}
	const variance = residual / (m - 2) / sxx;
	const keep = raw === 0 ? 0 : Math.max(0, 1 - variance / (raw * raw));
	return { slope: raw * keep, variance: variance * keep };
}

interface RatePath {
	/** Exits per week now (the recent level, moved along the trend to the present). */
	now: number;
	/** The level the rate reverts to (the mean of the whole history), and the time constant. */
	longRun: number;
	revertWeeks: number;
	slope: number;
	damping: number;
	/** Priority entries per week, subtracted from the exits (normal stream only). */
	priority: number;
}

/**
 * Weeks until `needed` exits at the rate of `path` from now on: the log rate moves from `now`
 * towards `longRun` (e^(−s/τ)), plus the damped trend, less the priority entries. Also the
 * mean over that wait of the damped trend (s) and of the share of the recent level still in
 * force (e^(−s/τ)), for the variance. Without trend or reversion: needed / (now − priority).
 */
function timeToExits(
	needed: number,
	path: RatePath
): { weeks: number; meanDamped: number; meanPersist: number } {
	const flat = needed / (path.now - path.priority);
	const gap = Math.log(path.now / path.longRun);
	const reverts = path.revertWeeks > 0 && gap !== 0;
	if (path.slope === 0 && !reverts) return { weeks: flat, meanDamped: 0, meanPersist: 1 };
	const damped = (s: number) =>
		path.damping >= 1 ? s : (path.damping * (1 - Math.pow(path.damping, s))) / (1 - path.damping);
	const logLong = Math.log(path.longRun);
	const step = flat / 64;
	let done = 0;
	let t = 0;
	let exposure = 0;
	let persist = 0;
	let rate = 0;
	for (let k = 0; k < 2048; k++) {
		const mid = t + step / 2;
		const d = damped(mid);
		const p = reverts ? Math.exp(-mid / path.revertWeeks) : 1;
		rate = Math.exp(logLong + gap * p + path.slope * d) - path.priority;
		const dt = rate > 0 && done + rate * step >= needed ? (needed - done) / rate : step;
		done += Math.max(0, rate) * dt;
		exposure += d * dt;
		persist += p * dt;
		t += dt;
		if (dt < step) return { weeks: t, meanDamped: exposure / t, meanPersist: persist / t };
	}
	// Far beyond the history: continue at the last rate.
	if (!(rate > 0)) return { weeks: Infinity, meanDamped: 0, meanPersist: 0 };
	const rest = (needed - done) / rate;
	return {
		weeks: t + rest,
		meanDamped: (exposure + damped(t) * rest) / (t + rest),
		meanPersist: persist / (t + rest)
	};
}

function sum(counts: readonly number[], from = 0): number {
	let s = 0;
	for (let i = from; i < counts.length; i++) s += counts[i];
	return s;
}

function noEstimate(
	kind: NoTurnEstimate['kind'],
	basisWeeks: number,
	throughput: number | null,
	caveats: EstimateCaveat[]
): NoTurnEstimate {
	return {
		kind,
		pointWeeks: null,
		lowWeeks: null,
		highWeeks: null,
		confidence: CONFIDENCE,
		basisWeeks,
		throughputPerWeek: throughput,
		caveats
	};
}

/**
 * When the case's turn comes: a point (median) and an 80 % interval in weeks from now, or no
 * number at all when the history cannot support one (`no_history`, `stalled`).
 */
export function estimateTurn(
	input: TurnInput,
	options: Partial<EstimatorOptions> = {}
): TurnResult {
	const o: EstimatorOptions = { ...DEFAULT_OPTIONS, ...options };
	const { ahead } = input;
	if (!Number.isFinite(ahead) || ahead < 0) throw new RangeError(`ahead must be ≥ 0, got ${ahead}`);
	assertCounts('exitsPerWeek', input.history.exitsPerWeek);
	const all = input.history.exitsPerWeek;
	const exits = all.length > o.maxWeeks ? all.slice(all.length - o.maxWeeks) : all;
	const n = exits.length;
	const caveats: EstimateCaveat[] = [];
	if (n === 0) return noEstimate('no_history', 0, null, ['no_history']);
	if (n < SHORT_HISTORY_WEEKS) caveats.push('short_history');
	if (sum(exits, n - Math.min(STALL_WEEKS, n)) === 0)
		return noEstimate('stalled', n, 0, [...caveats, 'stalled']);

	let priority: readonly number[] = [];
	if (input.stream !== 'priority' && input.history.priorityEntriesPerWeek) {
		const p = input.history.priorityEntriesPerWeek;
		assertCounts('priorityEntriesPerWeek', p);
		priority = p.length > n ? p.slice(p.length - n) : p;
	}

	// The half-life depends on the horizon, which depends on the level: two fixed-point steps.
	let halfLife = o.halfLifeMin;
	let weighted = weightedLevel(exits, halfLife);
	let net = weighted.level - weightedWith(weighted.weights, priority);
	for (let step = 0; step < 2 && net > 0; step++) {
		const wanted = Math.min(
			o.halfLifeMax,
			Math.max(o.halfLifeMin, o.halfLifeHorizonFactor * ((ahead + 1) / net))
		);
		if (Math.abs(wanted - halfLife) < 0.25) break;
		halfLife = wanted;
		weighted = weightedLevel(exits, halfLife);
		net = weighted.level - weightedWith(weighted.weights, priority);
	}
	const level = weighted.level;
	const priorityRate = level - net;
	if (priority.length && priorityRate > PRIORITY_SHARE_NOTICE * level)
		caveats.push('priority_inflow');
	if (!(net > MIN_NET_SHARE * level))
		return noEstimate('stalled', n, Math.max(0, net), [...caveats, 'stalled']);

	const weeksSinceEnd = input.history.weeksSinceEnd ?? 0.5;
	// How old the weighted level is: the weights' mean age (week centres) plus the weeks since the end.
	let age = weeksSinceEnd;
	for (let i = 0; i < weighted.weights.length; i++) age += weighted.weights[i] * (i + 0.5);
	const trend = o.trendWeeks > 0 ? trendSlope(exits, o.trendWeeks) : { slope: 0, variance: 0 };
	const recentNow = level * Math.exp(trend.slope * age);
	// The level a passing swing reverts to: the history's mean, moved to now along the history's
	// own steady trend (none when its slope is lost in its noise), so that a capacity that rises
	// or falls steadily is not pulled back to where it stood months ago.
	const steady = o.longTrend ? trendSlope(exits, n) : { slope: 0, variance: 0 };
	const longRun =
		o.revertWeeks > 0
			? Math.max(
					(sum(exits) / n) * Math.exp(steady.slope * ((n - 1) / 2 + weeksSinceEnd)),
					MIN_NET_SHARE * recentNow
				)
			: recentNow;
	const path: RatePath = {
		now: recentNow,
		longRun,
		revertWeeks: o.revertWeeks,
		slope: trend.slope,
		damping: o.trendDamping,
		priority: priorityRate
	};
	const { weeks: point, meanDamped, meanPersist } = timeToExits(ahead + 1, path);
	const between = Math.log(recentNow / longRun) ** 2 * meanPersist * (1 - meanPersist);
	if (!Number.isFinite(point))
		return noEstimate('stalled', n, Math.max(0, net), [...caveats, 'stalled']);

	const { spread, nEffective } = levelSpread(exits, weighted.weights, level);
	const noisePrior = o.noisePrior * o.noisePrior;
	// Shrink the observed spread towards the prior; a single week tells nothing about spread.
	const noise = (o.noisePriorWeight * noisePrior + (n - 1) * spread) / (o.noisePriorWeight + n - 1);
	const drift = driftVariance(exits, o);
	const variance =
		noise / Math.min(nEffective, n) +
		drift * (lagExposure(weighted.weights, weeksSinceEnd) + point / 3) +
		trend.variance * (age + meanDamped) ** 2 +
		o.betweenWeight * between +
		1 / (ahead + 1);
	const sd = o.spreadFactor * Math.sqrt(variance);
	const granularity = (Z_80 * o.granularityDays) / 7;
	const below = Math.hypot(point * (1 - Math.exp(-Z_80 * sd)), granularity);
	const above = Math.hypot(point * (Math.exp(Z_80 * sd) - 1), granularity);

	if (n >= 2 * BLOCK_WEEKS) {
		const recent = sum(exits, n - BLOCK_WEEKS) / BLOCK_WEEKS;
		const before = sum(exits.slice(0, n - BLOCK_WEEKS)) / (n - BLOCK_WEEKS);
		if (Math.abs(Math.log((recent + 0.5) / (before + 0.5))) > RECENT_CHANGE_LOG)
			caveats.push('recent_change');
	}
	if (point > n) caveats.push('long_horizon');
	if (level < LOW_THROUGHPUT) caveats.push('low_throughput');

	return {
		kind: 'estimate',
		pointWeeks: point,
		lowWeeks: Math.max(0, point - below),
		highWeeks: point + above,
		confidence: CONFIDENCE,
		basisWeeks: n,
		throughputPerWeek: net,
		caveats
	};
}
