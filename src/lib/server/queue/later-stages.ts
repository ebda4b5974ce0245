/**
 * The stages after the queue: how long they typically take, and the decision date that follows
 * from the turn estimate plus those stages. Pure functions, no database, no clock.
 */
import { CONFIDENCE, type EstimateCaveat, type TurnResult } from './estimator';

/** A spread of durations in days: the 10th, 50th and 90th percentile (an 80 % range). */
export interface DurationRange {
	lowDays: number;
	typicalDays: number;
	highDays: number;
	confidence: typeof CONFIDENCE;
}

/** Recent durations of one later stage (e.g. decision, collect_document), in days. */
export interface StageSamples {
	stage: string;
	/** Durations of recent cases that went through the stage. */
	samplesDays: readonly number[];
	/** Share of cases that take this stage at all (optional stages); default 1. */
	share?: number;
	/** A fixed, known duration (e.g. 6 days rest) used when there are no samples. */
	fixedDays?: number;
}

export type StageCaveat = 'few_stage_samples' | 'no_stage_samples';

export interface LaterStages extends DurationRange {
	/** Some stage had fewer than `MIN_STAGE_SAMPLES` samples, or none (then it is left out). */
	caveats: StageCaveat[];
	stages: (DurationRange & { stage: string })[];
}

export const MIN_STAGE_SAMPLES = 10;

/** Percentile by linear interpolation between order statistics (sorted ascending input). */
export function percentile(sorted: readonly number[], q: number): number {
	if (sorted.length === 0) return NaN;
	const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
	const lo = Math.floor(h);
	const hi = Math.min(sorted.length - 1, lo + 1);
	return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Quantile of "0 with probability 1 − share, else a sample": an optional stage. */
function mixtureQuantile(sorted: readonly number[], share: number, q: number): number {
	if (q <= 1 - share) return 0;
	return percentile(sorted, (q - (1 - share)) / share);
}

/**
 * The typical duration of the stages after the queue, combined.
 *
 * Method: per stage the 10th, 50th and 90th percentile of its recent durations (an optional
 * stage is a mixture: zero days for the cases that skip it). The typical total is the sum of
 * the medians; the distances from median to the 10th and to the 90th percentile are combined
 * as the root of the sum of squares — exact for independent normal stages, and for a single
 * stage it returns that stage's own percentiles. Simply adding the 10th (or 90th) percentiles
 * would claim that every stage is fast (or slow) at once: a range too wide.
 */
export function combineLaterStages(stages: readonly StageSamples[]): LaterStages {
	const caveats: StageCaveat[] = [];
	const parts: (DurationRange & { stage: string })[] = [];
	for (const s of stages) {
		const share = Math.min(1, Math.max(0, s.share ?? 1));
		let sorted = s.samplesDays.filter((d) => Number.isFinite(d) && d >= 0).sort((a, b) => a - b);
		if (sorted.length === 0) {
			if (s.fixedDays === undefined) {
				if (!caveats.includes('no_stage_samples')) caveats.push('no_stage_samples');
				continue;
			}
			sorted = [s.fixedDays];
		} else if (sorted.length < MIN_STAGE_SAMPLES && !caveats.includes('few_stage_samples'))
			caveats.push('few_stage_samples');
		if (share === 0) continue;
		parts.push({
			stage: s.stage,
			lowDays: mixtureQuantile(sorted, share, 0.1),
			typicalDays: mixtureQuantile(sorted, share, 0.5),
			highDays: mixtureQuantile(sorted, share, 0.9),
			confidence: CONFIDENCE
		});
	}
	const combined = combineRanges(parts);
	return { ...combined, caveats, stages: parts };
}

/** Adds independent ranges: medians add, the one-sided spreads add in quadrature. */
function combineRanges(parts: readonly DurationRange[]): DurationRange {
	let typical = 0;
	let below = 0;
	let above = 0;
	for (const p of parts) {
		typical += p.typicalDays;
		below += (p.typicalDays - p.lowDays) ** 2;
		above += (p.highDays - p.typicalDays) ** 2;
	}
	return {
		lowDays: Math.max(0, typical - Math.sqrt(below)),
		typicalDays: typical,
		highDays: typical + Math.sqrt(above),
		confidence: CONFIDENCE
	};
}

export interface DecisionRange extends DurationRange {
	/** Days from the moment of the estimate. */
	fromTurn: DurationRange;
	laterStages: DurationRange;
	caveats: (EstimateCaveat | StageCaveat)[];
}

/**
 * Days from now until the decision: the wait for the turn plus the later stages (both 80 %
 * ranges, combined as in `combineLaterStages`). Null when the turn has no estimate: a decision
 * date without a turn estimate would be a fake number.
 */
export function estimateDecision(turn: TurnResult, later: LaterStages): DecisionRange | null {
	if (turn.kind !== 'estimate') return null;
	const fromTurn: DurationRange = {
		lowDays: turn.lowWeeks * 7,
		typicalDays: turn.pointWeeks * 7,
		highDays: turn.highWeeks * 7,
		confidence: CONFIDENCE
	};
	const laterStages: DurationRange = {
		lowDays: later.lowDays,
		typicalDays: later.typicalDays,
		highDays: later.highDays,
		confidence: CONFIDENCE
	};
	return {
		...combineRanges([fromTurn, laterStages]),
		fromTurn,
		laterStages,
		caveats: [...turn.caveats, ...later.caveats]
	};
}
