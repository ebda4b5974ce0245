/**
 * Backtest of the expected-wait estimator (`npm run backtest`, or `npx tsx tests/bench/backtest.ts`).
 *
 * On the simulator's three-year history (inflow swings, capacity step changes), every two weeks
 * after the first six months and for up to 200 cases per queue spread over the positions, it
 * compares the estimate of the wait until the case's turn with the wait that really followed:
 * - ours: `estimateTurn` from the exits of the complete weeks before the moment (at most 26),
 *   built by `weeklyHistory` (queue/history.ts) from exits per Dutch day as the case page does, and
 *   the number of cases ahead in FIFO order at that moment;
 * - baseline (what USCIS shows): the 50th to the 93rd percentile of the total time in the queue
 *   of the cases served in the 26 weeks before the moment, less the time the case has already
 *   waited (clamped at 0); its point estimate is the 50th percentile one.
 * It prints, per queue and overall, the share of real waits inside the stated range and the
 * median absolute error of the point estimate in weeks and relative to the real wait, and ends
 * with one line `RESULT {json}`.
 *
 * Right-censoring: a case still waiting at the end of the history has no known wait. Leaving
 * only those out would keep the fast cases and bias the figures, so a (queue, moment) is
 * evaluated only when every case waiting at that moment had its turn before the end; in FIFO
 * that holds up to a last moment per queue. Cases that leave by withdrawal never have a turn:
 * they count as cases ahead (they were) and in the exits, but are not evaluated. Both
 * exclusions are counted in the output.
 *
 * Environment: BACKTEST_SCALE (default 0.3), BACKTEST_SEED (the simulator's default),
 * BACKTEST_OPTIONS (JSON, overrides the estimator's options, for calibration).
 */
import { pathToFileURL } from 'node:url';
import {
	DEFAULT_SEED,
	DEMO_ASYLUM_CASE,
	DEMO_SPONSORED_CASE,
	simulate
} from '../../src/lib/server/demo/simulator';
import { CATALOGUE } from '../../src/lib/server/products/catalogue';
import {
	DEFAULT_OPTIONS,
	estimateTurn,
	type EstimatorOptions
} from '../../src/lib/server/queue/estimator';
import { weeklyHistory, type DailyQueueCounts } from '../../src/lib/server/queue/history';
import { percentile } from '../../src/lib/server/queue/later-stages';
import {
	addDays,
	dutchDate,
	dutchMoment,
	startOfDutchDay,
	weekStartOf,
	type IsoDate
} from '../../src/lib/time';
import { dailyCounts, type QueueSpan } from './support/queue-days';
import { turnRange } from '../../src/lib/components/turnRange';
import {
	KIND_NAMES,
	KIND_SEEDS,
	KIND_START,
	QUEUE_KINDS,
	simulateKind,
	type KindName
} from './support/queue-kinds';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const NOW = new Date('2026-11-23T10:00:00+01:00');
const HISTORY_WEEKS = 26;
const WARM_UP_WEEKS = 26;
const EVERY_WEEKS = 2;
const CASES_PER_CELL = 200;
/** Relative errors divide by the real wait, but by at least a day (a wait of minutes would explode them). */
const RELATIVE_FLOOR_WEEKS = 1 / 7;
const BASELINE_LOW = 0.5;
const BASELINE_HIGH = 0.93;
/** Also scored with only this many latest weeks of history: a new queue, or a new database. */
const SHORT_HISTORIES = [1, 2, 3, 4, 8];

interface Span extends QueueSpan {
	enteredAt: number;
	leftAt: number | null;
	withdrawn: boolean;
}

interface Queue {
	key: string;
	spans: Span[];
	/** Exits and priority entries per Dutch day, as the database's queue_entry rows give them. */
	days: DailyQueueCounts[];
	/** The queue's first entry: the data begins there. */
	since: number;
}

/** A point and an interval in weeks from the moment, or null for no estimate. */
type Estimate = { point: number; low: number; high: number } | null;

interface Evaluation {
	/** The wait that really followed, in weeks. */
	real: number;
	ours: Estimate;
	baseline: Estimate;
	/** Our point estimate (the real wait when we gave none): for the breakdown by horizon. */
	horizon: number;
	/** Ours with only the latest 1, 2, 3, 4 and 8 weeks of history (every fifth case). */
	short?: Estimate[];
	/** Weeks from the moment to the end of the history. */
	toEnd: number;
	queue: string;
}

interface Figures {
	evaluations: number;
	coverage: number;
	maeWeeks: number;
	medianRelativeError: number;
	noEstimate: number;
}

interface Summary {
	evaluations: number;
	ours: Figures;
	baseline: Figures;
	/** Ours ÷ baseline, median absolute error in weeks and relative. */
	ratioMaeWeeks: number;
	ratioRelativeError: number;
}

const round = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

function median(values: number[]): number {
	return percentile(
		values.sort((a, b) => a - b),
		0.5
	);
}

function figures(
	evaluations: Evaluation[],
	which: 'ours' | 'baseline' | ((e: Evaluation) => Estimate)
): Figures {
	let covered = 0;
	let counted = 0;
	const absolute: number[] = [];
	const relative: number[] = [];
	const pick = typeof which === 'function' ? which : (e: Evaluation) => e[which];
	for (const e of evaluations) {
		const est = pick(e);
		if (!est) continue;
		counted++;
		if (e.real >= est.low && e.real <= est.high) covered++;
		const error = Math.abs(est.point - e.real);
		absolute.push(error);
		relative.push(error / Math.max(e.real, RELATIVE_FLOOR_WEEKS));
	}
	return {
		evaluations: counted,
		coverage: round(covered / counted),
		maeWeeks: round(median(absolute)),
		medianRelativeError: round(median(relative)),
		noEstimate: evaluations.length - counted
	};
}

function summarise(evaluations: Evaluation[]): Summary {
	const ours = figures(evaluations, 'ours');
	const baseline = figures(evaluations, 'baseline');
	return {
		evaluations: evaluations.length,
		ours,
		baseline,
		ratioMaeWeeks: round(ours.maeWeeks / baseline.maeWeeks),
		ratioRelativeError: round(ours.medianRelativeError / baseline.medianRelativeError)
	};
}

/** Per product and queue stage: each case's stays, from its events (as `queue_entry` holds them). */
function reconstructQueues(
	scale: number,
	seed: number
): { queues: Queue[]; start: number; end: number; cases: number } {
	const sim = simulate({ scale, now: NOW, seed });
	const queueStages = new Map(
		CATALOGUE.map((m) => [
			m.code,
			new Set(m.stages.filter((s) => s.kind === 'queue').map((s) => s.code))
		])
	);
	const demo = new Set<string>([DEMO_ASYLUM_CASE.reference, DEMO_SPONSORED_CASE.reference]);
	const byKey = new Map<string, Span[]>();
	for (const c of sim.cases) {
		// The pinned demo cases are placed in a queue but never served by it.
		if (demo.has(c.reference)) continue;
		const stages = queueStages.get(c.product)!;
		let open: { key: string; at: number } | null = null;
		const events = c.events
			.map((e) => ({ e, at: Date.parse(e.occurredAt) }))
			.sort((a, b) => a.at - b.at);
		for (const { e, at } of events) {
			if (
				e.type !== 'case.stage_entered' &&
				e.type !== 'case.decided' &&
				e.type !== 'case.withdrawn'
			)
				continue;
			if (open) {
				byKey
					.get(open.key)!
					.push({ enteredAt: open.at, leftAt: at, withdrawn: e.type === 'case.withdrawn' });
				open = null;
			}
			if (e.type === 'case.stage_entered' && stages.has(String(e.data.stage))) {
				const key = `${c.product}/${String(e.data.stage)}`;
				if (!byKey.has(key)) byKey.set(key, []);
				open = { key, at };
			}
		}
		if (open) byKey.get(open.key)!.push({ enteredAt: open.at, leftAt: null, withdrawn: false });
	}
	const queues = [...byKey].map(([key, spans]) => {
		spans.sort((a, b) => a.enteredAt - b.enteredAt);
		return { key, spans, days: dailyCounts(spans), since: spans[0].enteredAt };
	});
	return {
		queues,
		start: sim.historyStart.getTime(),
		end: sim.now.getTime(),
		cases: sim.cases.length
	};
}

/** The first Monday (Dutch time) on or after `t`: week boundaries. */
function firstMonday(t: number): IsoDate {
	const monday = weekStartOf(t);
	return startOfDutchDay(monday).getTime() >= t ? monday : addDays(monday, 7);
}

interface Counters {
	cells: number;
	censoredCells: number;
	/** Case-moments (a case waiting at a moment) in censored cells, and of cases that later withdrew. */
	censoredCases: number;
	withdrawnExcluded: number;
	waitingSeen: number;
	estimatorCalls: number;
	estimatorMs: number;
	maxWaiting: number;
}

function evaluateQueue(
	queue: Queue,
	weekZero: IsoDate,
	end: number,
	options: Partial<EstimatorOptions>,
	counters: Counters
): Evaluation[] {
	const evaluations: Evaluation[] = [];
	const spans = queue.spans;
	for (let k = WARM_UP_WEEKS; ; k += EVERY_WEEKS) {
		// Thursday noon: the current week is incomplete and not used.
		const moment = dutchMoment(addDays(weekZero, 7 * k + 3), 12 * 60);
		if (moment >= end) break;
		const waiting: Span[] = [];
		for (const s of spans) {
			if (s.enteredAt > moment) break;
			if (s.leftAt === null || s.leftAt > moment) waiting.push(s);
		}
		counters.cells++;
		counters.waitingSeen += waiting.length;
		counters.maxWaiting = Math.max(counters.maxWaiting, waiting.length);
		if (waiting.some((s) => s.leftAt === null)) {
			counters.censoredCells++;
			counters.censoredCases += waiting.filter((s) => !s.withdrawn).length;
			continue;
		}
		// The function the case page builds its history with (queue-history.service.ts).
		const { history } = weeklyHistory(queue.days, {
			now: moment,
			weeks: HISTORY_WEEKS,
			since: queue.since
		});
		const served: number[] = [];
		for (const s of spans) {
			if (s.enteredAt > moment) break;
			if (
				!s.withdrawn &&
				s.leftAt !== null &&
				s.leftAt < moment &&
				s.leftAt >= moment - HISTORY_WEEKS * WEEK_MS
			)
				served.push((s.leftAt - s.enteredAt) / WEEK_MS);
		}
		served.sort((a, b) => a - b);
		const baseLow = served.length ? percentile(served, BASELINE_LOW) : NaN;
		const baseHigh = served.length ? percentile(served, BASELINE_HIGH) : NaN;

		const candidates: number[] = [];
		for (let i = 0; i < waiting.length; i++) if (!waiting[i].withdrawn) candidates.push(i);
		counters.withdrawnExcluded += waiting.length - candidates.length;
		const take = Math.min(CASES_PER_CELL, candidates.length);
		for (let j = 0; j < take; j++) {
			const ahead =
				candidates[take === 1 ? 0 : Math.round((j * (candidates.length - 1)) / (take - 1))];
			const span = waiting[ahead];
			const real = (span.leftAt! - moment) / WEEK_MS;
			const began = performance.now();
			const est = estimateTurn({ ahead, history }, options);
			counters.estimatorMs += performance.now() - began;
			counters.estimatorCalls++;
			const waited = (moment - span.enteredAt) / WEEK_MS;
			const short =
				j % 5 === 0
					? SHORT_HISTORIES.map((weeks) => {
							const e = estimateTurn(
								{
									ahead,
									history: { ...history, exitsPerWeek: history.exitsPerWeek.slice(-weeks) }
								},
								options
							);
							return e.kind === 'estimate'
								? { point: e.pointWeeks, low: e.lowWeeks, high: e.highWeeks }
								: null;
						})
					: undefined;
			evaluations.push({
				real,
				short,
				toEnd: (end - moment) / WEEK_MS,
				queue: queue.key,
				horizon: est.kind === 'estimate' ? est.pointWeeks : real,
				ours:
					est.kind === 'estimate'
						? { point: est.pointWeeks, low: est.lowWeeks, high: est.highWeeks }
						: null,
				baseline: served.length
					? {
							point: Math.max(0, baseLow - waited),
							low: Math.max(0, baseLow - waited),
							high: Math.max(0, baseHigh - waited)
						}
					: null
			});
		}
	}
	return evaluations;
}

function diagnose(perQueue: { key: string; evaluations: Evaluation[] }[]): void {
	const q = (v: number[], p: number) =>
		percentile(
			v.slice().sort((a, b) => a - b),
			p
		).toFixed(3);
	const report = (label: string, ev: Evaluation[]) => {
		const z = ev
			.filter((e) => e.ours)
			.map((e) => Math.log(Math.max(e.real, 1 / 70) / e.ours!.point));
		const width = ev.filter((e) => e.ours).map((e) => Math.log(e.ours!.high / e.ours!.point));
		const below = ev.filter((e) => e.ours && e.real < e.ours.low).length / ev.length;
		const above = ev.filter((e) => e.ours && e.real > e.ours.high).length / ev.length;
		console.log(
			`${pad(label, 36)} log(real/pt) p10 ${q(z, 0.1)} p50 ${q(z, 0.5)} p90 ${q(z, 0.9)}  half-width ${q(width, 0.5)}  below ${below.toFixed(3)} above ${above.toFixed(3)}`
		);
	};
	const all = perQueue.flatMap((p) => p.evaluations);
	for (const [lo, hi] of [
		[0, 26],
		[26, 52],
		[52, 78],
		[78, 200]
	])
		report(
			`toEnd ${lo}-${hi}, horizon 13+`,
			all.filter((e) => e.horizon >= 13 && e.toEnd >= lo && e.toEnd < hi)
		);
	for (const [lo, hi] of [
		[0, 26],
		[26, 52],
		[52, 78],
		[78, 200]
	])
		report(
			`toEnd ${lo}-${hi}, horizon 4-13`,
			all.filter((e) => e.horizon >= 4 && e.horizon < 13 && e.toEnd >= lo && e.toEnd < hi)
		);
	for (const p of perQueue) {
		report(p.key, p.evaluations);
		for (const [lo, hi] of [
			[0, 1],
			[1, 4],
			[4, 13],
			[13, 1e9]
		])
			report(
				`   ${lo}-${hi}`,
				p.evaluations.filter((e) => e.horizon >= lo && e.horizon < hi)
			);
	}
}

/** The time of one call on a full 26-week history, many times over (warm). */
function timeOneCall(options: Partial<EstimatorOptions>): number {
	const exits = Array.from({ length: 26 }, (_, i) => 180 + 40 * Math.sin(i / 3) + (i % 5) * 7);
	const calls = 200_000;
	let sink = 0;
	const began = performance.now();
	for (let i = 0; i < calls; i++) {
		const est = estimateTurn(
			{ ahead: (i * 37) % 5000, history: { exitsPerWeek: exits, weeksSinceEnd: 0.5 } },
			options
		);
		if (est.kind === 'estimate') sink += est.pointWeeks;
	}
	const micros = ((performance.now() - began) * 1000) / calls;
	if (!Number.isFinite(sink)) throw new Error('unreachable');
	return micros;
}

function pad(text: string, width: number): string {
	return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function row(label: string, s: Summary): string {
	const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
	return [
		pad(label, 36),
		pad(String(s.evaluations), 8),
		pad(pct(s.ours.coverage), 8),
		pad(s.ours.maeWeeks.toFixed(2), 8),
		pad(pct(s.ours.medianRelativeError), 9),
		pad(pct(s.baseline.coverage), 8),
		pad(s.baseline.maeWeeks.toFixed(2), 8),
		pad(pct(s.baseline.medianRelativeError), 9),
		s.ratioMaeWeeks.toFixed(2)
	].join(' ');
}

/** Calibration aid: BACKTEST_SWEEP='[{...options}, …]' BACKTEST_SEEDS='1,2,3' prints one line per option set. */
function sweep(scale: number): void {
	const sets: Partial<EstimatorOptions>[] = JSON.parse(process.env.BACKTEST_SWEEP!);
	const seeds = (process.env.BACKTEST_SEEDS ?? String(DEFAULT_SEED)).split(',').map(Number);
	const histories = seeds.map((seed) => reconstructQueues(scale, seed));
	for (const options of sets) {
		const all: Evaluation[] = [];
		const counters: Counters = {
			cells: 0,
			censoredCells: 0,
			censoredCases: 0,
			withdrawnExcluded: 0,
			waitingSeen: 0,
			estimatorCalls: 0,
			estimatorMs: 0,
			maxWaiting: 0
		};
		const perQueueCoverage: number[] = [];
		for (const { queues, start, end } of histories) {
			for (const queue of queues) {
				const ev = evaluateQueue(queue, firstMonday(start), end, options, counters);
				if (ev.length) perQueueCoverage.push(figures(ev, 'ours').coverage);
				all.push(...ev);
			}
		}
		const s = summarise(all);
		const horizon = [0, 1, 4, 13].map(
			(lo, i, a) =>
				figures(
					all.filter((e) => e.horizon >= lo && e.horizon < (a[i + 1] ?? Infinity)),
					'ours'
				).coverage
		);
		const sampled = all.filter((e) => e.short);
		const short = SHORT_HISTORIES.map((_, i) => figures(sampled, (e) => e.short![i]).coverage);
		console.log(
			`${JSON.stringify(options)} cov ${s.ours.coverage} (by horizon ${horizon.join(' ')}; queues ${Math.min(...perQueueCoverage)}–${Math.max(...perQueueCoverage)}; short ${short.join(' ')}) MAE ${s.ours.maeWeeks} rel ${s.ours.medianRelativeError} ratio ${s.ratioMaeWeeks}`
		);
	}
}

function shortRow(label: string, f: Figures): string {
	const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
	return `  ${pad(label, 34)} ${pad(String(f.evaluations), 8)} ${pad(pct(f.coverage), 8)} ${pad(f.maeWeeks.toFixed(2), 8)} ${pct(f.medianRelativeError)}${f.noEstimate ? `  (no estimate: ${f.noEstimate})` : ''}`;
}

/** Cases scored per (kind, seed, moment), spread over the positions. */
const KIND_CASES_PER_MOMENT = 40;
const HORIZONS: [string, number, number][] = [
	['< 4 weeks', 0, 4],
	['4–13 weeks', 4, 13],
	['13–26 weeks', 13, 26],
	['≥ 26 weeks', 26, Infinity]
];

/** One estimate scored as the case page shows it: `turnRange`'s rounding, read as dates. */
interface ShownEvaluation {
	kind: KindName;
	/** The wait that followed, in weeks. */
	real: number;
	/** What the page leads with today: the estimator's point, in weeks. */
	point: number;
	/** The middle of the range as shown, in weeks. */
	midpoint: number;
	/** The day of the turn lies between the first and last day the page names. */
	covered: boolean;
	baseline: { midpoint: number; covered: boolean } | null;
	/** The wait spans a change the history could not show (`QueueKind.changes`). */
	acrossChange: boolean;
}

/**
 * Every kind of queue over every seed: from week 26, every two weeks on Thursday noon, up to
 * 40 cases spread over the positions, while every case waiting then is served before the end.
 */
function evaluateKinds(options: Partial<EstimatorOptions>): ShownEvaluation[] {
	const out: ShownEvaluation[] = [];
	for (const name of KIND_NAMES) {
		const kind = QUEUE_KINDS[name];
		for (const seed of KIND_SEEDS) {
			const { spans, start, end } = simulateKind(kind, seed);
			const days = dailyCounts(spans);
			const weekOf = (t: number) => (t - start) / WEEK_MS;
			let firstWaiting = 0;
			let arrived = 0;
			for (let k = WARM_UP_WEEKS; ; k += EVERY_WEEKS) {
				const moment = dutchMoment(addDays(KIND_START, 7 * k + 3), 12 * 60);
				if (moment >= end) break;
				while (arrived < spans.length && spans[arrived].enteredAt <= moment) arrived++;
				while (
					firstWaiting < arrived &&
					spans[firstWaiting].leftAt !== null &&
					spans[firstWaiting].leftAt! <= moment
				)
					firstWaiting++;
				const waiting = arrived - firstWaiting;
				if (waiting === 0) continue;
				// Right-censored: the last case waiting now is not served before the end.
				if (spans[arrived - 1].leftAt === null) break;
				const { history } = weeklyHistory(days, {
					now: moment,
					weeks: HISTORY_WEEKS,
					since: start
				});
				const served: number[] = [];
				for (let i = firstWaiting - 1; i >= 0; i--) {
					const s = spans[i];
					if (s.leftAt! < moment - HISTORY_WEEKS * WEEK_MS) break;
					served.push((s.leftAt! - s.enteredAt) / WEEK_MS);
				}
				served.sort((a, b) => a - b);
				const take = Math.min(KIND_CASES_PER_MOMENT, waiting);
				for (let j = 0; j < take; j++) {
					const ahead = take === 1 ? 0 : Math.round((j * (waiting - 1)) / (take - 1));
					const span = spans[firstWaiting + ahead];
					const turn = span.leftAt!;
					const real = (turn - moment) / WEEK_MS;
					const est = estimateTurn({ ahead, history }, options);
					if (est.kind !== 'estimate') continue;
					const shown = turnRange(est.lowWeeks, est.highWeeks);
					const unitMs = shown.unit === 'days' ? DAY_MS : WEEK_MS;
					const turnDay = dutchDate(turn);
					const waited = (moment - span.enteredAt) / WEEK_MS;
					let baseline: ShownEvaluation['baseline'] = null;
					if (served.length) {
						const low = Math.max(0, percentile(served, BASELINE_LOW) - waited);
						const high = Math.max(0, percentile(served, BASELINE_HIGH) - waited);
						baseline = { midpoint: (low + high) / 2, covered: real >= low && real <= high };
					}
					out.push({
						kind: name,
						real,
						point: est.pointWeeks,
						midpoint: ((shown.low + shown.high) / 2) * (unitMs / WEEK_MS),
						covered:
							dutchDate(moment + shown.low * unitMs) <= turnDay &&
							turnDay <= dutchDate(moment + shown.high * unitMs),
						baseline,
						acrossChange: kind.changes.some((c) => weekOf(moment) < c && weekOf(turn) >= c)
					});
				}
			}
		}
	}
	return out;
}

interface ShownFigures {
	n: number;
	coverage: number;
	/** Median absolute error of the midpoint as shown, in weeks. */
	midpointErrorWeeks: number;
	/** The same for the USCIS-style baseline (its p50–p93 range's middle). */
	baselineMidpointErrorWeeks: number;
	/** Ours ÷ baseline. */
	midpointErrorRatio: number;
	/** Median of |point − real| ÷ real. */
	pointRelativeError: number;
}

function shownFigures(evaluations: ShownEvaluation[]): ShownFigures {
	const withBaseline = evaluations.filter((e) => e.baseline);
	const ours = median(evaluations.map((e) => Math.abs(e.midpoint - e.real)));
	const theirs = median(withBaseline.map((e) => Math.abs(e.baseline!.midpoint - e.real)));
	return {
		n: evaluations.length,
		coverage: round(evaluations.filter((e) => e.covered).length / evaluations.length),
		midpointErrorWeeks: round(ours),
		baselineMidpointErrorWeeks: round(theirs),
		midpointErrorRatio: round(ours / theirs),
		pointRelativeError: round(
			median(
				evaluations.map((e) => Math.abs(e.point - e.real) / Math.max(e.real, RELATIVE_FLOOR_WEEKS))
			)
		)
	};
}

/** The kinds' figures, printed as a table, for the RESULT line. */
function reportKinds(options: Partial<EstimatorOptions>) {
	const all = evaluateKinds(options);
	const foreseeable = all.filter((e) => !e.acrossChange);
	const kindRow = (label: string, f: ShownFigures) =>
		[
			pad(label, 22),
			pad(String(f.n), 7),
			pad(`${(f.coverage * 100).toFixed(1)}%`, 8),
			pad(f.midpointErrorWeeks.toFixed(2), 8),
			pad(f.baselineMidpointErrorWeeks.toFixed(2), 8),
			pad(f.midpointErrorRatio.toFixed(2), 7),
			`${(f.pointRelativeError * 100).toFixed(1)}%`
		].join(' ');
	console.log('');
	console.log(
		`Kinds of queue, ${KIND_SEEDS.length} seeds each, scored as the page shows them (turnRange, read as dates):`
	);
	console.log(
		[
			pad('kind', 22),
			pad('n', 7),
			pad('covered', 8),
			pad('mid err', 8),
			pad('base err', 8),
			pad('ratio', 7),
			'point rel err'
		].join(' ')
	);
	const perKind: Record<string, ShownFigures & { acrossChange?: ShownFigures }> = {};
	for (const name of KIND_NAMES) {
		const mine = foreseeable.filter((e) => e.kind === name);
		const across = all.filter((e) => e.kind === name && e.acrossChange);
		if (mine.length) {
			perKind[name] = shownFigures(mine);
			console.log(kindRow(name, perKind[name]));
		}
		if (across.length) {
			const f = shownFigures(across);
			perKind[name] = { ...perKind[name], acrossChange: f };
			console.log(kindRow(`  across a change`, f));
		}
	}
	const byHorizon: Record<string, ShownFigures> = {};
	console.log('By the estimated wait (every kind, waits that span no change):');
	for (const [label, lo, hi] of HORIZONS) {
		const subset = foreseeable.filter((e) => e.point >= lo && e.point < hi);
		if (!subset.length) continue;
		byHorizon[label] = shownFigures(subset);
		console.log(kindRow(`  ${label}`, byHorizon[label]));
	}
	const overall = shownFigures(foreseeable);
	console.log(kindRow('OVERALL', overall));
	const inTarget = KIND_NAMES.filter(
		(k) =>
			k !== 'future_shock' &&
			perKind[k] &&
			perKind[k].coverage >= 0.75 &&
			perKind[k].coverage <= 0.9
	);
	return {
		seeds: KIND_SEEDS,
		overall,
		perKind,
		byHorizon,
		targets: {
			coverage: [0.75, 0.9],
			kindsInTarget: `${inTarget.length}/${KIND_NAMES.length - 1}`,
			midpointErrorRatioOk: overall.midpointErrorRatio <= 0.5,
			longWaitPointErrorOk: (byHorizon['≥ 26 weeks']?.pointRelativeError ?? 1) <= 0.25
		}
	};
}

export default async function main(): Promise<void> {
	const scale = Number(process.env.BACKTEST_SCALE ?? 0.3);
	const seed = Number(process.env.BACKTEST_SEED ?? DEFAULT_SEED);
	const options: Partial<EstimatorOptions> = process.env.BACKTEST_OPTIONS
		? JSON.parse(process.env.BACKTEST_OPTIONS)
		: {};
	if (process.env.BACKTEST_SWEEP) return sweep(scale);
	const began = performance.now();
	const { queues, start, end, cases } = reconstructQueues(scale, seed);
	const simulatedSeconds = (performance.now() - began) / 1000;
	const weekZero = firstMonday(start);

	const counters: Counters = {
		cells: 0,
		censoredCells: 0,
		censoredCases: 0,
		withdrawnExcluded: 0,
		waitingSeen: 0,
		estimatorCalls: 0,
		estimatorMs: 0,
		maxWaiting: 0
	};
	const perQueue: { key: string; evaluations: Evaluation[]; moments: number; censored: number }[] =
		[];
	for (const queue of queues.sort((a, b) => a.key.localeCompare(b.key))) {
		const cells = counters.cells;
		const censored = counters.censoredCells;
		const evaluations = evaluateQueue(queue, weekZero, end, options, counters);
		perQueue.push({
			key: queue.key,
			evaluations,
			moments: counters.cells - cells - (counters.censoredCells - censored),
			censored: counters.censoredCells - censored
		});
	}
	const all = perQueue.flatMap((q) => q.evaluations);
	const overall = summarise(all);

	console.log(
		`Backtest of the expected wait: simulator scale ${scale}, seed ${seed}, ${cases} cases, ${queues.length} queues (${simulatedSeconds.toFixed(1)} s to simulate)`
	);
	console.log(
		`Moments every ${EVERY_WEEKS} weeks after ${WARM_UP_WEEKS} weeks; history ${HISTORY_WEEKS} complete weeks; up to ${CASES_PER_CELL} cases per queue and moment; 80 % interval (ours) vs p50–p93 (baseline)`
	);
	console.log(`Estimator options: ${JSON.stringify({ ...DEFAULT_OPTIONS, ...options })}`);
	console.log('');
	console.log(
		[
			pad('queue', 36),
			pad('n', 8),
			pad('ours cov', 8),
			pad('MAE wk', 8),
			pad('rel err', 9),
			pad('base cov', 8),
			pad('MAE wk', 8),
			pad('rel err', 9),
			'MAE ratio'
		].join(' ')
	);
	const byQueue: Record<string, Summary & { moments: number; censored: number }> = {};
	for (const q of perQueue) {
		if (q.evaluations.length === 0) {
			console.log(`${pad(q.key, 36)} no evaluable moment (all censored)`);
			continue;
		}
		const s = summarise(q.evaluations);
		byQueue[q.key] = { ...s, moments: q.moments, censored: q.censored };
		console.log(row(q.key, s));
	}
	console.log(row('OVERALL', overall));
	console.log(
		`(moments evaluated per queue: ${perQueue.map((q) => `${q.key} ${q.moments}${q.censored ? ` + ${q.censored} censored` : ''}`).join(', ')})`
	);

	console.log('');
	console.log('By the estimated wait (ours):');
	const buckets: [string, number, number][] = [
		['< 4 weeks', 0, 4],
		['4–13 weeks', 4, 13],
		['13–26 weeks', 13, 26],
		['≥ 26 weeks', 26, Infinity]
	];
	const byHorizon: Record<string, Summary> = {};
	for (const [label, lo, hi] of buckets) {
		const subset = all.filter((e) => e.horizon >= lo && e.horizon < hi);
		if (!subset.length) continue;
		byHorizon[label] = summarise(subset);
		console.log(row(`  ${label}`, byHorizon[label]));
	}

	console.log('');
	console.log(
		'Short histories (the same moments and cases, every fifth, with only the latest weeks):'
	);
	const sampled = all.filter((e) => e.short);
	const shortHistories: Record<string, Figures> = {};
	for (let i = 0; i < SHORT_HISTORIES.length; i++) {
		const f = figures(sampled, (e) => e.short![i]);
		shortHistories[`${SHORT_HISTORIES[i]}w`] = f;
		console.log(shortRow(`${SHORT_HISTORIES[i]} week${SHORT_HISTORIES[i] > 1 ? 's' : ''}`, f));
	}
	const full = figures(sampled, 'ours');
	shortHistories['26w'] = full;
	console.log(shortRow(`${HISTORY_WEEKS} weeks`, full));

	if (process.env.BACKTEST_DIAG) diagnose(perQueue);
	const perCallMicros = timeOneCall(options);
	const meanCallMicros = (counters.estimatorMs * 1000) / counters.estimatorCalls;
	console.log('');
	console.log(
		`Excluded: ${counters.censoredCells} of ${counters.cells} (queue, moment) cells right-censored (some case waiting then was still waiting at the end; ${counters.censoredCases} case-moments not scored); ${counters.withdrawnExcluded} case-moments of cases that later withdrew (never had a turn) not scored`
	);
	console.log(
		`Largest queue seen: ${counters.maxWaiting} waiting; mean ${Math.round(counters.waitingSeen / counters.cells)} per queue and moment`
	);
	console.log(
		`Estimator: ${perCallMicros.toFixed(2)} µs per call (tight loop, 26 weeks), ${meanCallMicros.toFixed(2)} µs per call in the backtest (${counters.estimatorCalls} calls)`
	);
	const kinds = reportKinds(options);
	const seconds = (performance.now() - began) / 1000;
	console.log(`Total ${seconds.toFixed(1)} s`);

	const coverageOk = overall.ours.coverage >= 0.75 && overall.ours.coverage <= 0.85;
	const errorOk = overall.ours.maeWeeks <= 0.5 * overall.baseline.maeWeeks;
	const result = {
		scale,
		seed,
		confidence: 0.8,
		evaluations: overall.evaluations,
		ours: overall.ours,
		baseline: overall.baseline,
		ratioMaeWeeks: overall.ratioMaeWeeks,
		ratioRelativeError: overall.ratioRelativeError,
		targets: { coverage: [0.75, 0.85], maxRatioMaeWeeks: 0.5, coverageOk, errorOk },
		excluded: {
			censoredCells: counters.censoredCells,
			cells: counters.cells,
			censoredCaseMoments: counters.censoredCases,
			withdrawnCaseMoments: counters.withdrawnExcluded
		},
		perQueue: Object.fromEntries(
			Object.entries(byQueue).map(([k, s]) => [
				k,
				{
					n: s.evaluations,
					moments: s.moments,
					censoredMoments: s.censored,
					ours: {
						coverage: s.ours.coverage,
						maeWeeks: s.ours.maeWeeks,
						rel: s.ours.medianRelativeError
					},
					baseline: {
						coverage: s.baseline.coverage,
						maeWeeks: s.baseline.maeWeeks,
						rel: s.baseline.medianRelativeError
					}
				}
			])
		),
		byHorizon: Object.fromEntries(
			Object.entries(byHorizon).map(([k, v]) => [
				k,
				{
					n: v.evaluations,
					coverage: v.ours.coverage,
					maeWeeks: v.ours.maeWeeks,
					baselineMaeWeeks: v.baseline.maeWeeks
				}
			])
		),
		shortHistories: Object.fromEntries(
			Object.entries(shortHistories).map(([k, v]) => [
				k,
				{ n: v.evaluations, coverage: v.coverage, maeWeeks: v.maeWeeks, rel: v.medianRelativeError }
			])
		),
		kinds,
		perCallMicros: round(perCallMicros, 2),
		seconds: round(seconds, 1)
	};
	console.log(`RESULT ${JSON.stringify(result)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
