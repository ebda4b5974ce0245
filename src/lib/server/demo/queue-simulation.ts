/**
 * The queues of the demo history: cases submitted month by month, each following its product's
 * stages, served first in, first out by queues whose capacity follows demand with a lag and
 * steps with staffing. Pure: no database, no clock; every draw comes from the seeded generator.
 */
import type { EventType } from '$lib/server/events/event.validation';
import type { Outcome } from '$lib/server/db/schema';
import { addDays, dutchDate, dutchMoment, formatDutchMoment, type IsoDate } from '$lib/time';
import {
	latestExtendedDeadline,
	legalDeadline,
	nextWorkingDay,
	previousWorkingDay
} from '$lib/server/cases/deadline';
import {
	after,
	days,
	officeMoment,
	DAY_MS,
	OFFICE_MINUTES,
	OFFICE_START_MINUTES,
	type Month
} from './calendar';
import { makeApplicant, type Applicant } from './names';
import {
	SPONSOR_MIX,
	type CapacityStep,
	type ProductCode,
	type ProductModel,
	type StageModel
} from './product-models';
import { stochasticCount, type Random } from './random';

export const HISTORY_YEARS = 3;
/** Applicants who mean to withdraw; those decided first do not, so a few per cent do. */
export const WITHDRAWAL_SHARE = 0.08;
/** Of the cases that run past their legal deadline, this share gets a formal extension. */
export const EXTENSION_SHARE_OF_OVERDUE = 0.05;

/** Capacity follows demand with a lag: the average inflow of the months before. */
const CAPACITY_LAG_MONTHS = 4;
const WORKING_DAYS_PER_WEEK = 5;

export interface DemoEvent {
	id: string;
	type: EventType;
	occurredAt: string;
	case: string;
	data: Record<string, unknown>;
}

export interface SimulatedCase {
	reference: string;
	product: ProductCode;
	vNumber: string;
	sponsorKvk: string | null;
	events: DemoEvent[];
}

/** Relative inflow per month: a mean-reverting random walk times the season, averaging 1. */
export function inflowFactors(model: ProductModel, months: Month[], random: Random): number[] {
	let level = 0;
	const raw = months.map((month) => {
		level = 0.75 * level + model.volatility * random.normal();
		return Math.exp(level) * model.season[Number(month.days[0].slice(5, 7)) - 1];
	});
	const workingDays = months.reduce((sum, m) => sum + m.days.length, 0);
	const weighted = raw.reduce((sum, f, i) => sum + f * months[i].days.length, 0) / workingDays;
	return raw.map((f) => f / weighted);
}

function stepFactor(steps: readonly CapacityStep[], month: number): number {
	let factor = steps[0][1];
	for (const [from, f] of steps) if (month >= from) factor = f;
	return factor;
}

/** Cases a queue serves per working day in a month: lagging demand times the staffing step. */
export function dailyCapacities(
	model: ProductModel,
	stage: StageModel,
	factors: number[],
	scale: number
): number[] {
	const perDay = (model.perYear * scale) / 52 / WORKING_DAYS_PER_WEEK;
	return factors.map((_, month) => {
		let demand = 0;
		for (let back = 1; back <= CAPACITY_LAG_MONTHS; back++)
			demand += month - back >= 0 ? factors[month - back] : 1;
		return perDay * (demand / CAPACITY_LAG_MONTHS) * stepFactor(stage.capacity ?? [[0, 1]], month);
	});
}

/** `waiting`: in a queue at `now`; `stopped`: open at `now`, its next step lies after it. */
export type Status = 'active' | 'waiting' | 'stopped' | 'withdrawn' | 'decided';

export interface SimCase {
	reference: string;
	model: ProductModel;
	vNumber: string;
	applicant: Applicant;
	sponsorKvk: string | null;
	submittedAt: number;
	outcome: Outcome;
	withdrawAt: number | null;
	takes: Set<string>;
	/** When the case enters its next stage. */
	nextAt: number;
	status: Status;
	events: { at: number; event: DemoEvent }[];
}

export interface Context {
	now: number;
	random: Random;
}

export function record(
	ctx: Context,
	c: SimCase,
	at: number,
	type: EventType,
	data: Record<string, unknown>
): boolean {
	if (c.status !== 'active') return false;
	if (c.withdrawAt !== null && c.withdrawAt <= at) {
		withdraw(ctx, c);
		return false;
	}
	if (at > ctx.now) {
		c.status = 'stopped';
		return false;
	}
	push(ctx, c, at, type, data);
	return true;
}

export function push(
	ctx: Context,
	c: SimCase,
	at: number,
	type: EventType,
	data: Record<string, unknown>
): void {
	c.events.push({
		at,
		event: {
			id: ctx.random.uuid(),
			type,
			occurredAt: formatDutchMoment(at),
			case: c.reference,
			data
		}
	});
}

export function withdraw(ctx: Context, c: SimCase): void {
	const at = c.withdrawAt;
	if (at === null || at > ctx.now) {
		c.status = 'stopped';
		return;
	}
	push(ctx, c, at, 'case.withdrawn', {});
	c.status = 'withdrawn';
}

export function submit(ctx: Context, c: SimCase): void {
	const data: Record<string, unknown> = {
		product: c.model.code,
		vNumber: c.vNumber,
		applicant: c.applicant
	};
	if (c.sponsorKvk) data.sponsorKvk = c.sponsorKvk;
	record(ctx, c, c.submittedAt, 'case.submitted', data);
	c.nextAt = after(c.submittedAt, c.model.stages[0].stay ?? days(0, 1), ctx.random);
}

function uniqueVNumber(used: Set<string>, random: Random): string {
	for (;;) {
		const v = String(random.int(2_000_000_000, 9_999_999_999));
		if (!used.has(v)) {
			used.add(v);
			return v;
		}
	}
}

function optionalStages(model: ProductModel, outcome: Outcome, random: Random): Set<string> {
	const takes = new Set<string>();
	for (const stage of model.stages) {
		if (
			stage.takenBy === 'refusal'
				? outcome === 'refused'
				: typeof stage.takenBy === 'number' && random.chance(stage.takenBy)
		)
			takes.add(stage.code);
	}
	return takes;
}

export function newCase(
	model: ProductModel,
	submittedAt: number,
	used: Set<string>,
	random: Random
): SimCase {
	const outcome = random.weighted(model.outcomes);
	const mix = SPONSOR_MIX[model.code];
	const withdrawAt = random.chance(WITHDRAWAL_SHARE)
		? officeMoment(nextWorkingDay(addDays(dutchDate(submittedAt), random.int(7, 150))), random)
		: null;
	return {
		reference: '',
		model,
		vNumber: uniqueVNumber(used, random),
		applicant: makeApplicant(model, dutchDate(submittedAt), random),
		sponsorKvk: mix ? random.weighted(mix) : null,
		submittedAt,
		outcome,
		withdrawAt,
		takes: optionalStages(model, outcome, random),
		nextAt: submittedAt,
		status: 'active',
		events: []
	};
}

export function submissions(
	model: ProductModel,
	months: Month[],
	factors: number[],
	scale: number,
	random: Random
): number[] {
	const perWorkingDay =
		(model.perYear * scale) / (months.reduce((sum, m) => sum + m.days.length, 0) / HISTORY_YEARS);
	const moments: number[] = [];
	for (const month of months) {
		const count = stochasticCount(perWorkingDay * month.days.length * factors[month.index], random);
		for (let i = 0; i < count; i++) moments.push(officeMoment(random.pick(month.days), random));
	}
	return moments;
}

/** References count up per year in order of submission, with gaps as in a real register. */
export function assignReferences(cases: SimCase[], random: Random): void {
	const counters = new Map<string, number>();
	for (const c of [...cases].sort((a, b) => a.submittedAt - b.submittedAt)) {
		const year = dutchDate(c.submittedAt).slice(0, 4);
		const n = (counters.get(year) ?? random.int(100, 999)) + random.int(1, 3);
		counters.set(year, n);
		c.reference = `IND-${year}-${String(n).padStart(6, '0')}`;
	}
}

export interface QueueContext extends Context {
	workingDays: IsoDate[];
	monthOfDay: Map<IsoDate, number>;
}

/** Serves a queue first-in-first-out with a capacity per working day; the rest still waits at `now`. */
export function serveQueue(ctx: QueueContext, arrivals: SimCase[], capacityPerDay: number[]): void {
	arrivals.sort((a, b) => a.nextAt - b.nextAt);
	let next = 0;
	let head = 0;
	let budget = 0;
	const waiting: SimCase[] = [];
	const firstDay = arrivals.length ? dutchDate(arrivals[0].nextAt) : '9999-12-31';
	for (const day of ctx.workingDays) {
		if (day < firstDay) continue;
		const dayStart = dutchMoment(day, 0);
		while (next < arrivals.length && arrivals[next].nextAt < dayStart)
			waiting.push(arrivals[next++]);
		budget += capacityPerDay[ctx.monthOfDay.get(day)!];
		const slots = Math.floor(budget);
		budget -= slots;
		let served = 0;
		while (served < slots && head < waiting.length) {
			const c = waiting[head];
			const at = dutchMoment(
				day,
				OFFICE_START_MINUTES + Math.floor((OFFICE_MINUTES * (served + ctx.random.next())) / slots)
			);
			if (at > ctx.now) break;
			head++;
			if (c.withdrawAt !== null && c.withdrawAt < at) {
				withdraw(ctx, c);
				continue;
			}
			c.nextAt = at;
			served++;
		}
		// Capacity that finds no one waiting is lost, not saved up.
		if (head === waiting.length) budget = Math.min(budget, 1);
	}
	for (const c of [...waiting.slice(head), ...arrivals.slice(next)]) {
		if (c.withdrawAt !== null && c.withdrawAt <= ctx.now) withdraw(ctx, c);
		else c.status = 'waiting';
	}
}

export function runProduct(
	ctx: QueueContext,
	model: ProductModel,
	cases: SimCase[],
	capacities: Map<string, number[]>
): void {
	const decisionIndex = model.stages.findIndex((s) => s.kind === 'final');
	for (const stage of model.stages.slice(1, decisionIndex)) {
		const arrivals: SimCase[] = [];
		for (const c of cases) {
			if (stage.takenBy !== undefined && !c.takes.has(stage.code)) continue;
			if (!record(ctx, c, c.nextAt, 'case.stage_entered', { stage: stage.code })) continue;
			if (stage.kind === 'queue') arrivals.push(c);
			else c.nextAt = after(c.nextAt, stage.stay ?? days(1, 5), ctx.random);
		}
		if (stage.kind === 'queue') serveQueue(ctx, arrivals, capacities.get(stage.code)!);
	}
	const decision = model.stages[decisionIndex];
	const afterDecision = model.stages[decisionIndex + 1];
	for (const c of cases) {
		if (!record(ctx, c, c.nextAt, 'case.decided', { outcome: c.outcome })) continue;
		c.status = 'decided';
		if (!afterDecision || c.outcome !== 'granted') continue;
		const at = after(c.nextAt, decision.stay ?? days(1, 5), ctx.random);
		if (at <= ctx.now) push(ctx, c, at, 'case.stage_entered', { stage: afterDecision.code });
	}
}

function insertChronologically(c: SimCase, at: number, event: DemoEvent): void {
	const index = c.events.findIndex((e) => e.at > at);
	c.events.splice(index === -1 ? c.events.length : index, 0, { at, event });
}

/** Some cases that run past their legal deadline get a formal extension shortly before it. */
export function extendDeadlines(ctx: Context, cases: SimCase[]): void {
	for (const c of cases) {
		if (!ctx.random.chance(EXTENSION_SHARE_OF_OVERDUE)) continue;
		const closing = c.events.find(
			(e) => e.event.type === 'case.decided' || e.event.type === 'case.withdrawn'
		);
		const end = closing?.at ?? ctx.now;
		const submittedAt = new Date(c.submittedAt);
		const deadline = legalDeadline(submittedAt, c.model.term);
		if (dutchDate(end) <= deadline) continue;
		const latest = latestExtendedDeadline(submittedAt, c.model.term, c.model.extension);
		if (latest <= deadline) continue;
		const at = officeMoment(
			previousWorkingDay(addDays(deadline, -ctx.random.int(3, 14))),
			ctx.random
		);
		if (at <= c.submittedAt || at >= end) continue;
		const span = Math.round((Date.parse(latest) - Date.parse(deadline)) / DAY_MS);
		let extended = nextWorkingDay(
			addDays(deadline, Math.max(1, Math.round(span * (0.5 + ctx.random.next() / 2))))
		);
		if (extended > latest) extended = latest;
		const event: DemoEvent = {
			id: ctx.random.uuid(),
			type: 'case.deadline_extended',
			occurredAt: formatDutchMoment(at),
			case: c.reference,
			data: { deadline: extended, reason: ctx.random.pick(c.model.extensionReasons) }
		};
		insertChronologically(c, at, event);
	}
}
