import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { latestExtendedDeadline, legalDeadline } from '$lib/server/cases/deadline';
import { CATALOGUE } from '$lib/server/products/catalogue';
import { dutchDate, formatDutchMoment, offsetMinutes } from '$lib/time';
import { parseBatch } from '$lib/server/events/event.validation';
import { REFERENCE_PATTERN } from '$lib/reference';
import {
	DEMO_ASYLUM_CASE,
	DEMO_SPONSORED_CASE,
	DEMO_TECH_KVK,
	isDatabaseEmpty,
	seedDemo
} from '$lib/server/demo/seed';
import {
	ASYLUM_PER_YEAR,
	FAMILY_REUNION_OF_REFUGEES_PER_YEAR,
	FIRST_REGULAR_PER_YEAR,
	HISTORY_YEARS,
	NATURALISATION_PER_YEAR,
	PRODUCT_MODELS,
	simulate,
	type DemoEvent,
	type Simulation,
	type SimulatedCase
} from '$lib/server/demo/simulator';
import { describeEachEngine } from '../helpers/engines';

const NOW = new Date('2026-11-23T10:00:00+01:00');
const DEFAULT_DEMO_SCALE = 0.02;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let cached: Simulation | undefined;
/** The default demo, simulated once for the whole file. */
function demo(): Simulation {
	cached ??= simulate({ scale: DEFAULT_DEMO_SCALE, now: NOW });
	return cached;
}

const isDemoCase = (c: SimulatedCase) =>
	c.reference === DEMO_ASYLUM_CASE.reference || c.reference === DEMO_SPONSORED_CASE.reference;
const at = (e: DemoEvent) => Date.parse(e.occurredAt);
const stageOf = (e: DemoEvent) => (e.type === 'case.stage_entered' ? String(e.data.stage) : null);
const closes = (e: DemoEvent) => e.type === 'case.decided' || e.type === 'case.withdrawn';

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
	const counts = new Map<string, number>();
	for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
	return counts;
}

function modelOf(product: string) {
	return PRODUCT_MODELS.find((m) => m.code === product)!;
}

function isQueue(product: string, stage: string | null): boolean {
	return modelOf(product).stages.some((s) => s.code === stage && s.kind === 'queue');
}

/** The queue a case still waits in at the end of its history, with the moment it entered. */
function waitingIn(c: SimulatedCase): { stage: string; since: number } | null {
	if (c.events.some(closes)) return null;
	const entered = c.events.filter((e) => e.type === 'case.stage_entered').at(-1);
	const stage = entered ? stageOf(entered) : null;
	return entered && isQueue(c.product, stage) ? { stage: stage!, since: at(entered) } : null;
}

/** Per queue: how many cases entered and left it in the weeks before `now`. */
function recentQueueFlows(
	sim: Simulation,
	weeks: number
): Map<string, { entered: number; left: number }> {
	const from = NOW.getTime() - weeks * 7 * 86_400_000;
	const flows = new Map<string, { entered: number; left: number }>();
	const flow = (key: string) => flows.get(key) ?? flows.set(key, { entered: 0, left: 0 }).get(key)!;
	for (const c of sim.cases) {
		let current: string | null = null;
		for (const e of c.events) {
			if (e.type === 'case.deadline_extended') continue;
			if (current && at(e) >= from) flow(current).left++;
			current = null;
			const stage = stageOf(e);
			if (isQueue(c.product, stage)) {
				current = `${c.product}/${stage}`;
				if (at(e) >= from) flow(current).entered++;
			}
		}
	}
	return flows;
}

describe('demo simulator', () => {
	it('gives the same history for the same seed and another for another seed', () => {
		const options = { scale: 0.002, now: NOW, seed: 7 };
		const first = simulate(options);
		expect(simulate(options)).toEqual(first);
		expect(simulate({ ...options, seed: 8 }).events.slice(0, 50)).not.toEqual(
			first.events.slice(0, 50)
		);
	});

	it('submits volumes in the proportions of the IND figures', () => {
		const perYear = (product: string) =>
			demo().cases.filter((c) => c.product === product && !isDemoCase(c)).length /
			(DEFAULT_DEMO_SCALE * HISTORY_YEARS);
		const regular = [
			'gezinshereniging',
			'verlenging',
			'kennismigrant',
			'studie',
			'naturalisatie'
		].reduce((sum, p) => sum + perYear(p), 0);
		expect(regular / FIRST_REGULAR_PER_YEAR).toBeCloseTo(1, 1);
		expect(perYear('asiel') / ASYLUM_PER_YEAR).toBeCloseTo(1, 1);
		expect(perYear('naturalisatie') / NATURALISATION_PER_YEAR).toBeCloseTo(1, 1);
		expect(perYear('nareis') / perYear('asiel')).toBeGreaterThan(0.08);
		expect(perYear('nareis') / perYear('asiel')).toBeLessThan(0.12);
		for (const model of PRODUCT_MODELS) {
			expect(Math.abs(perYear(model.code) / model.perYear - 1), model.code).toBeLessThan(0.1);
		}
		expect(FAMILY_REUNION_OF_REFUGEES_PER_YEAR).toBe(ASYLUM_PER_YEAR / 10);
	});

	it('lets asylum inflow swing strongly from month to month, regular inflow less', () => {
		const largestSwing = (product: string) => {
			const months = [
				...countBy(
					demo().cases.filter((c) => c.product === product),
					(c) => c.events[0].occurredAt.slice(0, 7)
				)
			]
				.sort(([a], [b]) => a.localeCompare(b))
				.slice(1, -1)
				.map(([, n]) => n);
			return Math.max(...months.slice(1).map((n, i) => Math.abs(n / months[i] - 1)));
		};
		expect(largestSwing('asiel')).toBeGreaterThan(0.5);
		expect(largestSwing('asiel')).toBeGreaterThan(largestSwing('naturalisatie'));
	});

	it('writes events the event API accepts, with unique ids and references', () => {
		const { events, cases } = demo();
		const parsed = parseBatch({ events });
		expect(parsed.ok).toBe(true);
		expect(events.every((e) => UUID_V4.test(e.id))).toBe(true);
		expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
		expect(cases.every((c) => REFERENCE_PATTERN.test(c.reference))).toBe(true);
		expect(new Set(cases.map((c) => c.reference)).size).toBe(cases.length);
		expect(new Set(cases.map((c) => c.vNumber)).size).toBe(cases.length);
	});

	it('keeps every history chronological and never later than now', () => {
		const { events, cases } = demo();
		expect(events.filter((e, i) => i > 0 && at(e) < at(events[i - 1]))).toEqual([]);
		expect(events.filter((e) => at(e) > NOW.getTime())).toEqual([]);
		const outOfOrder = cases.filter((c) =>
			c.events.some((e, i) => i > 0 && at(e) <= at(c.events[i - 1]))
		);
		expect(outOfOrder.map((c) => c.reference)).toEqual([]);
		expect(cases.filter((c) => c.events[0].type !== 'case.submitted')).toEqual([]);
		const bornLater = cases.filter(
			(c) =>
				(c.events[0].data.applicant as { birthDate: string }).birthDate >
				dutchDate(new Date(at(c.events[0])))
		);
		expect(bornLater).toEqual([]);
		expect(events.length).toBe(cases.reduce((sum, c) => sum + c.events.length, 0));
	});

	it('walks each case through the stages of its product in order', () => {
		const followsProduct = (c: SimulatedCase) => {
			const model = modelOf(c.product);
			const position = (code: string) => model.stages.findIndex((s) => s.code === code);
			const decision = model.stages.findIndex((s) => s.kind === 'final');
			const positions = c.events
				.map(stageOf)
				.filter((s): s is string => s !== null)
				.map(position);
			const increasing = positions.every(
				(p, i) => p > 0 && p !== decision && (i === 0 || p > positions[i - 1])
			);
			const closing = c.events.findIndex(closes);
			const later = closing === -1 ? [] : c.events.slice(closing + 1);
			const afterClosing =
				c.events[closing]?.type === 'case.withdrawn'
					? later.length === 0
					: later.every((e) => position(stageOf(e) ?? '') > decision);
			return increasing && afterClosing;
		};
		expect(
			demo()
				.cases.filter((c) => !followsProduct(c))
				.map((c) => c.reference)
		).toEqual([]);
	});

	it('takes the optional and fixed stages as the procedures do', () => {
		const asylum = demo().cases.filter((c) => c.product === 'asiel');
		const intended = asylum.filter((c) => c.events.some((e) => stageOf(e) === 'intended_decision'));
		expect(intended.length).toBeGreaterThan(0);
		for (const c of intended) {
			const outcome = c.events.find((e) => e.type === 'case.decided')?.data.outcome;
			expect(outcome === undefined || outcome === 'refused').toBe(true);
		}
		for (const c of asylum) {
			const rest = c.events.findIndex((e) => stageOf(e) === 'rest_preparation');
			const next = c.events[rest + 1];
			if (rest === -1 || !next || next.type !== 'case.stage_entered') continue;
			expect(at(next) - at(c.events[rest])).toBe(6 * 86_400_000);
		}
		const nareis = demo().cases.filter(
			(c) => c.product === 'nareis' && c.events.some((e) => e.type === 'case.decided')
		);
		const interviewed = nareis.filter((c) =>
			c.events.some((e) => stageOf(e) === 'embassy_interview')
		).length;
		expect(interviewed).toBeGreaterThan(0);
		expect(interviewed / nareis.length).toBeLessThan(0.4);
	});

	it('has waiting, decided, withdrawn and extended cases', () => {
		const types = countBy(demo().events, (e) => e.type);
		const cases = demo().cases.length;
		expect(demo().cases.filter(waitingIn).length).toBeGreaterThan(cases * 0.03);
		expect(types.get('case.decided')!).toBeGreaterThan(cases * 0.7);
		expect(types.get('case.withdrawn')! / cases).toBeGreaterThan(0.01);
		expect(types.get('case.withdrawn')! / cases).toBeLessThan(0.06);
		expect(types.get('case.deadline_extended')!).toBeGreaterThan(0);
	});

	it('extends deadlines only of overdue cases, before the deadline passes and within the legal maximum', () => {
		for (const c of demo().cases) {
			const extension = c.events.find((e) => e.type === 'case.deadline_extended');
			if (!extension) continue;
			const model = modelOf(c.product);
			const submittedAt = new Date(at(c.events[0]));
			const original = legalDeadline(submittedAt, model.term);
			const end = c.events.find(closes);
			expect(dutchDate(end ? new Date(at(end)) : NOW) > original).toBe(true);
			expect(dutchDate(new Date(at(extension))) < original).toBe(true);
			expect(String(extension.data.deadline) > original).toBe(true);
			expect(
				String(extension.data.deadline) <=
					latestExtendedDeadline(submittedAt, model.term, model.extension)
			).toBe(true);
			expect(String(extension.data.reason).length).toBeGreaterThan(0);
		}
	});

	it('has queues that grow and queues that shrink at now', () => {
		const flows = [...recentQueueFlows(demo(), 8).values()];
		expect(flows.some((f) => f.entered > f.left * 1.1)).toBe(true);
		expect(flows.some((f) => f.left > f.entered * 1.1)).toBe(true);
	});

	it('lets Demo Tech sponsor at least 200 cases and only study and work cases carry a sponsor', () => {
		const { cases } = demo();
		expect(cases.filter((c) => c.sponsorKvk === DEMO_TECH_KVK).length).toBeGreaterThanOrEqual(200);
		for (const c of cases)
			expect(c.sponsorKvk !== null, c.reference).toBe(
				c.product === 'kennismigrant' || c.product === 'studie'
			);
		const sponsorsInEvents = cases.every(
			(c) => c.events[0].data.sponsorKvk === (c.sponsorKvk ?? undefined)
		);
		expect(sponsorsInEvents).toBe(true);
	});

	it('includes the demo cases, each waiting in its queue with cases ahead of it', () => {
		const { cases } = demo();
		const asylum = cases.find((c) => c.reference === DEMO_ASYLUM_CASE.reference)!;
		expect(asylum).toMatchObject({
			product: 'asiel',
			vNumber: DEMO_ASYLUM_CASE.vNumber,
			sponsorKvk: null
		});
		expect(asylum.events[0].data.applicant).toMatchObject({ name: DEMO_ASYLUM_CASE.name });
		const sponsored = cases.find((c) => c.reference === DEMO_SPONSORED_CASE.reference)!;
		expect(sponsored).toMatchObject({
			product: 'kennismigrant',
			vNumber: DEMO_SPONSORED_CASE.vNumber,
			sponsorKvk: DEMO_TECH_KVK
		});
		for (const [c, stage] of [
			[asylum, DEMO_ASYLUM_CASE.stage],
			[sponsored, DEMO_SPONSORED_CASE.stage]
		] as const) {
			const waiting = waitingIn(c);
			expect(waiting?.stage).toBe(stage);
			const ahead = cases
				.filter((o) => o.product === c.product && o !== c)
				.map(waitingIn)
				.filter((w) => w?.stage === stage && w.since < waiting!.since);
			expect(ahead.length).toBeGreaterThan(0);
		}
	});

	it('includes the demo cases in their state at any scale and moment', () => {
		const small = simulate({ scale: 0.001, now: new Date('2027-03-28T08:00:00+02:00'), seed: 3 });
		for (const [reference, stage] of [
			[DEMO_ASYLUM_CASE.reference, DEMO_ASYLUM_CASE.stage],
			[DEMO_SPONSORED_CASE.reference, DEMO_SPONSORED_CASE.stage]
		]) {
			const c = small.cases.find((x) => x.reference === reference)!;
			expect(waitingIn(c)?.stage).toBe(stage);
			expect(Math.max(...c.events.map(at))).toBeLessThanOrEqual(small.now.getTime());
		}
	});

	it('writes moments in Dutch local time, summer and winter', () => {
		for (const iso of [
			'2026-03-29T00:59:00Z',
			'2026-03-29T01:00:00Z',
			'2026-10-25T00:59:00Z',
			'2026-10-25T01:00:00Z',
			'2026-07-01T22:30:00Z',
			'2026-12-31T23:30:00Z'
		]) {
			const ms = Date.parse(iso);
			expect(Date.parse(formatDutchMoment(ms))).toBe(ms);
		}
		expect(formatDutchMoment(Date.parse('2026-07-01T08:00:00Z'))).toBe('2026-07-01T10:00:00+02:00');
		// Every event carries the offset of its own moment: +01:00 in winter, +02:00 in summer.
		const offsets = new Set<string>();
		for (const e of demo().events) {
			const offset = offsetMinutes(Date.parse(e.occurredAt));
			expect(e.occurredAt.endsWith(`+0${offset / 60}:00`)).toBe(true);
			offsets.add(e.occurredAt.slice(-6));
		}
		expect([...offsets].sort()).toEqual(['+01:00', '+02:00']);
	});

	it('runs the products and stages of the catalogue, in its order', () => {
		expect(PRODUCT_MODELS.map((m) => m.code)).toEqual(CATALOGUE.map((p) => p.code));
		for (const [i, product] of CATALOGUE.entries()) {
			const model = PRODUCT_MODELS[i];
			expect([model.term, model.extension]).toEqual([product.term, product.extension]);
			expect(model.stages.map((s) => [s.code, s.kind, s.fixedDays, s.optional])).toEqual(
				product.stages.map((s) => [s.code, s.kind, s.fixedDays, s.optional])
			);
			// An optional stage says who takes it; a stage every case takes does not.
			for (const stage of model.stages) expect(stage.takenBy !== undefined).toBe(stage.optional);
		}
	});
});

describeEachEngine('demo seed', ({ db }) => {
	it('seeds the default demo through the event service', async () => {
		expect(await isDatabaseEmpty(db())).toBe(true);
		const lines: string[] = [];
		const summary = await seedDemo(db(), {
			scale: DEFAULT_DEMO_SCALE,
			now: NOW,
			log: (line) => lines.push(line)
		});
		expect(summary).toMatchObject({ cases: demo().cases.length, events: demo().events.length });
		expect(lines.length).toBeGreaterThan(1);
		expect(await isDatabaseEmpty(db())).toBe(false);

		const count = async (query: ReturnType<typeof sql<{ n: number }>>) =>
			Number((await query.execute(db())).rows[0].n);
		expect(await count(sql`select count(*) as n from case_event`)).toBe(summary.events);
		const waitingQueues = await count(
			sql`select count(distinct (product_code, stage_code)) as n from queue_entry where left_at is null`
		);
		expect(waitingQueues).toBeGreaterThanOrEqual(5);
		expect(
			await count(sql`select count(*) as n from "case" where status = 'decided'`)
		).toBeGreaterThan(summary.cases / 2);
		expect(
			await count(sql`select count(*) as n from "case" where status = 'withdrawn'`)
		).toBeGreaterThan(0);
		expect(
			await count(sql`select count(*) as n from "case" where deadline > original_deadline`)
		).toBeGreaterThan(0);
		expect(
			await count(sql`select count(*) as n from "case" where sponsor_kvk = ${DEMO_TECH_KVK}`)
		).toBeGreaterThanOrEqual(200);

		for (const demoCase of [DEMO_ASYLUM_CASE, DEMO_SPONSORED_CASE]) {
			const row = await db()
				.selectFrom('case')
				.innerJoin('applicant', 'applicant.id', 'case.applicant_id')
				.innerJoin('queue_entry', (join) =>
					join.onRef('queue_entry.case_id', '=', 'case.id').on('queue_entry.left_at', 'is', null)
				)
				.select([
					'case.status',
					'case.stage_code',
					'applicant.v_number',
					'case.product_code',
					'queue_entry.entered_at'
				])
				.where('case.reference', '=', demoCase.reference)
				.executeTakeFirstOrThrow();
			expect(row).toMatchObject({
				status: 'open',
				stage_code: demoCase.stage,
				v_number: demoCase.vNumber
			});
			const ahead = await count(
				sql`select count(*) as n from queue_entry where left_at is null and product_code = ${row.product_code}
					and stage_code = ${demoCase.stage} and entered_at < ${row.entered_at}`
			);
			expect(ahead).toBeGreaterThan(0);
		}

		// A few of Demo Tech's cases wait for documents: its referents see them needing action.
		const asked = await sql<{ stage_code: string; missing: string[] }>`
			select c.stage_code, d.missing from document_request d join "case" c on c.id = d.case_id
			where d.resolved_at is null and c.sponsor_kvk = ${DEMO_TECH_KVK}`.execute(db());
		expect(asked.rows.length).toBeGreaterThanOrEqual(2);
		expect(asked.rows.every((r) => r.stage_code === 'missing_documents')).toBe(true);
	});
});
