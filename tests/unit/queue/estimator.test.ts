import { describe, expect, it } from 'vitest';
import {
	CONFIDENCE,
	estimateTurn,
	type QueueHistory,
	type TurnEstimate,
	type TurnResult
} from '$lib/server/queue/estimator';
import { combineLaterStages, estimateDecision, percentile } from '$lib/server/queue/later-stages';

const weeks = (n: number, value: number) => Array<number>(n).fill(value);
/** 26 weeks rising linearly from 60 to 140 exits a week: a plain average of 100. */
const rising = Array.from({ length: 26 }, (_, i) => 60 + (80 * i) / 25);
const falling = [...rising].reverse();

function estimate(result: TurnResult): TurnEstimate {
	expect(result.kind).toBe('estimate');
	return result as TurnEstimate;
}

const turn = (ahead: number, history: QueueHistory) => estimate(estimateTurn({ ahead, history }));
const relativeWidth = (e: TurnEstimate) => (e.highWeeks - e.lowWeeks) / e.pointWeeks;

describe('estimateTurn', () => {
	it('gives about ahead / throughput for a steady queue, with a narrow interval around it', () => {
		const e = turn(450, { exitsPerWeek: weeks(26, 100) });
		expect(e.pointWeeks).toBeCloseTo(4.51, 2);
		expect(e.lowWeeks).toBeLessThan(4.5);
		expect(e.highWeeks).toBeGreaterThan(4.5);
		expect(relativeWidth(e)).toBeLessThan(0.25);
		expect(e.confidence).toBe(CONFIDENCE);
		expect(e.basisWeeks).toBe(26);
		expect(e.caveats).toEqual([]);
		expect(e.throughputPerWeek).toBeCloseTo(100, 6);
	});

	it('uses only the latest 26 weeks', () => {
		const e = turn(450, { exitsPerWeek: [...weeks(30, 10), ...weeks(26, 100)] });
		expect(e.basisWeeks).toBe(26);
		expect(e.pointWeeks).toBeCloseTo(4.51, 2);
	});

	it('is shorter than the plain average would give when throughput rises', () => {
		const plain = 451 / 100;
		const e = turn(450, { exitsPerWeek: rising });
		expect(e.pointWeeks).toBeLessThan(plain * 0.85);
		// A rise that held for half a year goes on, damped: a little faster than the latest week,
		// never the straight line on.
		expect(e.pointWeeks).toBeLessThan(451 / 140);
		expect(e.pointWeeks).toBeGreaterThan(451 / (140 * 1.1));
		expect(e.caveats).toContain('recent_change');
	});

	it('is longer than the plain average would give when throughput falls', () => {
		const plain = 451 / 100;
		const e = turn(450, { exitsPerWeek: falling });
		expect(e.pointWeeks).toBeGreaterThan(plain * 1.2);
		expect(e.highWeeks).toBeGreaterThan(451 / 60);
		expect(e.caveats).toContain('recent_change');
	});

	it('takes a step in capacity as a new level: between the old and the new rate, the new one inside the range', () => {
		const e = turn(450, { exitsPerWeek: [...weeks(20, 100), ...weeks(6, 50)] });
		expect(e.pointWeeks).toBeGreaterThan(451 / 100);
		expect(e.pointWeeks).toBeLessThan(451 / 50 + 0.5);
		expect(e.lowWeeks).toBeLessThan(451 / 50);
		expect(e.highWeeks).toBeGreaterThan(451 / 50);
	});

	it('gives no estimate at all without history', () => {
		const r = estimateTurn({ ahead: 10, history: { exitsPerWeek: [] } });
		expect(r).toMatchObject({
			kind: 'no_history',
			pointWeeks: null,
			lowWeeks: null,
			highWeeks: null,
			basisWeeks: 0,
			confidence: 0.8
		});
		expect(r.caveats).toEqual(['no_history']);
	});

	it('estimates from one week, with the short_history caveat and a wider interval', () => {
		const one = turn(450, { exitsPerWeek: [100] });
		const full = turn(450, { exitsPerWeek: weeks(26, 100) });
		expect(one.pointWeeks).toBeCloseTo(4.51, 2);
		expect(one.basisWeeks).toBe(1);
		expect(one.caveats).toContain('short_history');
		expect(relativeWidth(one)).toBeGreaterThan(1.5 * relativeWidth(full));
		expect(one.lowWeeks).toBeLessThan(4.51);
		expect(one.highWeeks).toBeGreaterThan(4.51);
		// Short means under four weeks.
		expect(turn(450, { exitsPerWeek: weeks(3, 100) }).caveats).toContain('short_history');
		expect(turn(450, { exitsPerWeek: weeks(4, 100) }).caveats).not.toContain('short_history');
	});

	it('calls a queue without exits stalled and gives no number', () => {
		for (const exitsPerWeek of [[0], [0, 0, 0], [...weeks(20, 100), 0, 0, 0]]) {
			const r = estimateTurn({ ahead: 10, history: { exitsPerWeek } });
			expect(r.kind).toBe('stalled');
			expect(r.pointWeeks).toBeNull();
			expect(r.highWeeks).toBeNull();
			expect(r.caveats).toContain('stalled');
		}
		// One quiet week (a holiday) is not a stall.
		expect(
			estimateTurn({ ahead: 10, history: { exitsPerWeek: [...weeks(20, 100), 0] } }).kind
		).toBe('estimate');
	});

	it('puts the case with no one ahead within the first week', () => {
		const e = turn(0, { exitsPerWeek: weeks(26, 100) });
		expect(e.pointWeeks).toBeGreaterThan(0);
		expect(e.pointWeeks).toBeLessThan(1 / 7);
		expect(e.lowWeeks).toBe(0);
		expect(e.highWeeks).toBeLessThan(1);
	});

	it('is deterministic and leaves its input alone', () => {
		const history = Object.freeze({
			exitsPerWeek: Object.freeze([...falling]),
			priorityEntriesPerWeek: Object.freeze(weeks(26, 3))
		});
		const a = estimateTurn({ ahead: 1234, history });
		const b = estimateTurn({ ahead: 1234, history });
		expect(b).toEqual(a);
		expect(history.exitsPerWeek).toEqual(falling);
	});

	it('widens the interval with the horizon when throughput wanders', () => {
		// Four-week blocks that move away from each other further the further apart they lie.
		const history = {
			exitsPerWeek: [
				100, 102, 98, 101, 110, 112, 108, 111, 121, 118, 123, 119, 112, 110, 114, 111, 101, 99, 103,
				98, 92, 95, 90, 94, 88, 91
			]
		};
		const near = turn(200, history);
		const far = turn(4000, history);
		expect(relativeWidth(far)).toBeGreaterThan(relativeWidth(near));
		expect(far.caveats).toContain('long_horizon');
	});

	it('gives a queue whose throughput held steady a narrower range than one that swings', () => {
		const steady = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101, 99, 100, 102, 98, 100, 101];
		// The same mean, swinging by a fifth from one month to the next.
		const swinging = [80, 82, 78, 81, 120, 122, 118, 121, 85, 83, 87, 84, 115, 117, 113, 116];
		for (const ahead of [200, 1500, 4000]) {
			const calm = turn(ahead, { exitsPerWeek: steady });
			const wild = turn(ahead, { exitsPerWeek: swinging });
			expect(relativeWidth(calm)).toBeLessThan(relativeWidth(wild));
		}
	});

	it('does not read passing week-to-week noise as drift: a far horizon widens little', () => {
		// ±15 % from week to week, with no month lying further from another than the next one.
		const noisy = [100, 120, 90, 110, 95, 105, 130, 80, 100, 115, 85, 100, 110, 90, 100, 105];
		const far = turn(4000, { exitsPerWeek: noisy });
		expect(relativeWidth(far)).toBeLessThan(0.2);
	});

	it('lets priority entries overtake a normal-stream case, not a priority one', () => {
		const history = { exitsPerWeek: weeks(26, 100), priorityEntriesPerWeek: weeks(26, 20) };
		const normal = estimate(estimateTurn({ ahead: 450, history }));
		const priority = estimate(estimateTurn({ ahead: 450, stream: 'priority', history }));
		expect(normal.pointWeeks).toBeCloseTo(451 / 80, 2);
		expect(normal.caveats).toContain('priority_inflow');
		expect(priority.pointWeeks).toBeCloseTo(4.51, 2);
		expect(priority.caveats).not.toContain('priority_inflow');
		// When priority takes (nearly) everything, a normal case does not move.
		const swamped = estimateTurn({
			ahead: 5,
			history: { exitsPerWeek: weeks(8, 100), priorityEntriesPerWeek: weeks(8, 100) }
		});
		expect(swamped.kind).toBe('stalled');
	});

	it('flags a queue with few exits per week', () => {
		expect(turn(3, { exitsPerWeek: [1, 0, 2, 1, 0, 1, 3, 0] }).caveats).toContain('low_throughput');
	});

	it('refuses impossible input', () => {
		expect(() => estimateTurn({ ahead: -1, history: { exitsPerWeek: [1] } })).toThrow(RangeError);
		expect(() => estimateTurn({ ahead: Number.NaN, history: { exitsPerWeek: [1] } })).toThrow(
			RangeError
		);
		expect(() => estimateTurn({ ahead: 1, history: { exitsPerWeek: [1, -2] } })).toThrow(
			RangeError
		);
	});

	it('costs well under half a millisecond a call', () => {
		const exits = Array.from({ length: 26 }, (_, i) => 150 + 50 * Math.sin(i / 2));
		const calls = 2000;
		const began = performance.now();
		for (let i = 0; i < calls; i++)
			estimateTurn({ ahead: i * 3, history: { exitsPerWeek: exits } });
		expect((performance.now() - began) / calls).toBeLessThan(0.5);
	});
});

describe('later stages and the decision range', () => {
	const spread = (from: number, to: number, n = 101) =>
		Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));

	it('gives one stage its own 10th, 50th and 90th percentile', () => {
		const r = combineLaterStages([{ stage: 'decision', samplesDays: spread(0, 100) }]);
		expect(r).toMatchObject({
			lowDays: 10,
			typicalDays: 50,
			highDays: 90,
			confidence: 0.8,
			caveats: []
		});
	});

	it('adds medians and combines spreads in quadrature, narrower than adding the percentiles', () => {
		const r = combineLaterStages([
			{ stage: 'decision', samplesDays: spread(0, 100) },
			{ stage: 'collect_document', samplesDays: spread(0, 100) }
		]);
		expect(r.typicalDays).toBeCloseTo(100, 6);
		expect(r.lowDays).toBeCloseTo(100 - Math.SQRT2 * 40, 6);
		expect(r.highDays).toBeCloseTo(100 + Math.SQRT2 * 40, 6);
		expect(r.lowDays).toBeGreaterThan(20);
		expect(r.highDays).toBeLessThan(180);
		expect(r.stages.map((s) => s.stage)).toEqual(['decision', 'collect_document']);
	});

	it('treats an optional stage as zero days for the cases that skip it', () => {
		const r = combineLaterStages([
			{ stage: 'embassy_interview', samplesDays: spread(14, 56), share: 0.2 }
		]);
		expect(r.lowDays).toBe(0);
		expect(r.typicalDays).toBe(0);
		expect(r.highDays).toBeCloseTo(35, 6);
	});

	it('uses a fixed duration without samples and says when samples are few or missing', () => {
		const r = combineLaterStages([
			{ stage: 'rest_preparation', samplesDays: [], fixedDays: 6 },
			{ stage: 'decision', samplesDays: [3, 5, 7] },
			{ stage: 'collect_document', samplesDays: [] }
		]);
		expect(r.typicalDays).toBeCloseTo(11, 6);
		expect(r.caveats).toEqual(['few_stage_samples', 'no_stage_samples']);
		expect(r.stages).toHaveLength(2);
	});

	it('combines the turn and the later stages into a decision range in days, or none without an estimate', () => {
		const t = estimateTurn({ ahead: 450, history: { exitsPerWeek: weeks(26, 100) } });
		const later = combineLaterStages([{ stage: 'decision', samplesDays: spread(0, 100) }]);
		const d = estimateDecision(t, later)!;
		const e = estimate(t);
		expect(d.typicalDays).toBeCloseTo(e.pointWeeks * 7 + 50, 6);
		expect(d.lowDays).toBeLessThan(d.typicalDays);
		expect(d.highDays).toBeGreaterThan(d.typicalDays);
		expect(d.lowDays).toBeGreaterThan(e.lowWeeks * 7 + 10 - 1e-9);
		expect(d.highDays).toBeLessThan(e.highWeeks * 7 + 90 + 1e-9);
		expect(d.confidence).toBe(0.8);
		expect(
			estimateDecision(estimateTurn({ ahead: 1, history: { exitsPerWeek: [] } }), later)
		).toBeNull();
	});

	it('interpolates percentiles between order statistics', () => {
		expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
		expect(percentile([5], 0.93)).toBe(5);
		expect(Number.isNaN(percentile([], 0.5))).toBe(true);
	});
});
