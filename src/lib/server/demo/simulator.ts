/**
 * A deterministic, pure generator of a demo history of case events: the same events the case
 * system (INDiGO) would send through the event API. No database access; seed.ts ingests them.
 * The parts: product-models.ts (the catalogue with demand and capacity), queue-simulation.ts,
 * pinned.ts (the demo cases), calendar.ts, names.ts and random.ts.
 */
import { addDays, addMonths, dutchDate, dutchMoment, type IsoDate } from '$lib/time';
import { workingDaysBetween } from '$lib/server/cases/deadline';
import { monthsOf } from './calendar';
import { demoCases, requestDocuments } from './pinned';
import { PRODUCT_MODELS } from './product-models';
import {
	assignReferences,
	dailyCapacities,
	extendDeadlines,
	HISTORY_YEARS,
	inflowFactors,
	newCase,
	runProduct,
	submissions,
	submit,
	type DemoEvent,
	type QueueContext,
	type SimCase,
	type SimulatedCase
} from './queue-simulation';
import { createRandom } from './random';

export { DEMO_ASYLUM_CASE, DEMO_SPONSORED_CASE } from './pinned';
export {
	ASYLUM_PER_YEAR,
	DEMO_TECH_KVK,
	FAMILY_REUNION_OF_REFUGEES_PER_YEAR,
	FIRST_REGULAR_PER_YEAR,
	NATURALISATION_PER_YEAR,
	PRODUCT_MODELS,
	SPONSORS
} from './product-models';
export { HISTORY_YEARS, type DemoEvent, type SimulatedCase } from './queue-simulation';

export interface Simulation {
	now: Date;
	historyStart: Date;
	cases: SimulatedCase[];
	/** All events of all cases, in the order they happened. */
	events: DemoEvent[];
}

export interface SimulationOptions {
	scale: number;
	now?: Date;
	seed?: number;
}

export const DEFAULT_SEED = 20231;

function historyStartOf(now: Date): IsoDate {
	return addMonths(dutchDate(now.getTime()), -12 * HISTORY_YEARS);
}

function toSimulatedCase(c: SimCase): SimulatedCase {
	return {
		reference: c.reference,
		product: c.model.code,
		vNumber: c.vNumber,
		sponsorKvk: c.sponsorKvk,
		events: c.events.map((e) => e.event)
	};
}

function chronological(cases: SimCase[]): DemoEvent[] {
	const all = cases.flatMap((c) => c.events);
	// Array sort is stable, so events of one case at the same moment keep their order.
	all.sort((a, b) => a.at - b.at);
	return all.map((e) => e.event);
}

/**
 * A history of `HISTORY_YEARS` ending at `now`: inflow per product in the IND's proportions
 * (`scale` 1.0 = a full year of inflow per year), swinging month to month, served FIFO by
 * queues whose capacity changes over time, plus the fixed demo cases.
 */
export function simulate(options: SimulationOptions): Simulation {
	const now = options.now ?? new Date();
	if (!(options.scale > 0)) throw new Error(`scale must be above 0, got ${options.scale}`);
	const random = createRandom(options.seed ?? DEFAULT_SEED);
	const start = historyStartOf(now);
	const lastFullDay = addDays(dutchDate(now.getTime()), -1);
	const submissionDays = workingDaysBetween(start, lastFullDay);
	const months = monthsOf(submissionDays);
	const workingDays = workingDaysBetween(start, dutchDate(now.getTime()));
	const monthOfDay = new Map<IsoDate, number>();
	for (const month of months) for (const day of month.days) monthOfDay.set(day, month.index);
	const today = workingDays[workingDays.length - 1];
	if (today && !monthOfDay.has(today)) monthOfDay.set(today, months.length - 1);
	const ctx: QueueContext = { now: now.getTime(), random, workingDays, monthOfDay };

	const usedVNumbers = new Set<string>();
	const perProduct = PRODUCT_MODELS.map((model) => {
		const factors = inflowFactors(model, months, random);
		const cases = submissions(model, months, factors, options.scale, random).map((at) =>
			newCase(model, at, usedVNumbers, random)
		);
		const capacities = new Map(
			model.stages
				.filter((s) => s.kind === 'queue')
				.map((s) => [s.code, dailyCapacities(model, s, factors, options.scale)])
		);
		return { model, cases, capacities };
	});
	const generated = perProduct.flatMap((p) => p.cases);
	assignReferences(generated, random);
	for (const { model, cases, capacities } of perProduct) {
		cases.sort((a, b) => a.submittedAt - b.submittedAt);
		for (const c of cases) submit(ctx, c);
		runProduct(ctx, model, cases, capacities);
	}
	const demo = demoCases(ctx, generated);
	extendDeadlines(ctx, generated);
	requestDocuments(ctx, generated);
	const all = [...generated, ...demo];
	return {
		now,
		historyStart: new Date(dutchMoment(start, 0)),
		cases: all.map(toSimulatedCase),
		events: chronological(all)
	};
}
