import { describe, expect, it } from 'vitest';
import { estimateMove, type EstimateSeen } from '$lib/server/cases/estimate-moved';
import { getCaseStatus } from '$lib/server/cases/status.service';
import { ingestEvents } from '$lib/server/events/event.service';
import { moveToStream } from '$lib/server/queue/queue.service';
import type { Db } from '$lib/server/db';
import { describeEachEngine } from '../helpers/engines';
import {
	applicantPrincipal as applicant,
	decided,
	newReference,
	stageEntered,
	submitted
} from '../helpers/factories';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

function seen(overrides: Partial<EstimateSeen> = {}): EstimateSeen {
	return {
		at: '2026-09-02T10:00:00.000Z',
		stage: 'assessment',
		stream: 'normal',
		turnAt: '2026-10-14T10:00:00.000Z',
		ahead: 40,
		priorityAhead: 0,
		...overrides
	};
}

describe('how the expected turn moved since the last visit', () => {
	it('says nothing when it moved less than a week, or less than 15 % of the wait that remains', () => {
		const before = seen();
		expect(estimateMove(before, seen({ turnAt: '2026-10-20T10:00:00.000Z' }))).toBeNull();
		// Eight days later on a wait of about 100 days: within what an estimate moves by itself.
		const long = seen({ turnAt: '2026-12-11T10:00:00.000Z' });
		expect(estimateMove(long, seen({ turnAt: '2026-12-19T10:00:00.000Z' }))).toBeNull();
		expect(estimateMove(before, seen({ turnAt: '2026-10-23T10:00:00.000Z' }))).toMatchObject({
			cause: 'slower'
		});
	});

	it('says nothing without an earlier visit, across a change of stage, or without two estimates', () => {
		const later = seen({ turnAt: '2026-11-14T10:00:00.000Z' });
		expect(estimateMove(null, later)).toBeNull();
		expect(estimateMove(seen({ stage: 'registration_interview_queue' }), later)).toBeNull();
		expect(estimateMove(seen({ turnAt: null }), later)).toBeNull();
		expect(estimateMove(seen(), seen({ turnAt: null }))).toBeNull();
	});

	it('names priority cases when more of them wait ahead, and a place that went back when own-stream cases do', () => {
		const later = { turnAt: '2026-11-14T10:00:00.000Z' };
		expect(estimateMove(seen(), seen({ ...later, ahead: 55, priorityAhead: 12 }))).toMatchObject({
			cause: 'priority',
			count: 12
		});
		expect(estimateMove(seen(), seen({ ...later, ahead: 52 }))).toMatchObject({
			cause: 'place_back',
			fromPosition: 41,
			toPosition: 53
		});
		// Fewer ahead but a later turn: the queue itself moved slower.
		expect(estimateMove(seen(), seen({ ...later, ahead: 38 }))).toMatchObject({ cause: 'slower' });
		// A priority case is not overtaken by priority cases: its own stream only.
		expect(
			estimateMove(
				seen({ stream: 'priority' }),
				seen({ ...later, stream: 'priority', ahead: 45, priorityAhead: 0 })
			)
		).toMatchObject({ cause: 'place_back' });
	});

	it('says the queue moved faster, or that the case now has priority, when the turn came closer', () => {
		const earlier = { turnAt: '2026-09-20T10:00:00.000Z', at: '2026-09-05T10:00:00.000Z' };
		expect(estimateMove(seen(), seen({ ...earlier, ahead: 10 }))).toMatchObject({
			cause: 'faster',
			since: '2026-09-02T10:00:00.000Z',
			from: '2026-10-14T10:00:00.000Z',
			to: '2026-09-20T10:00:00.000Z'
		});
		expect(estimateMove(seen(), seen({ ...earlier, stream: 'priority', ahead: 3 }))).toMatchObject({
			cause: 'prioritised'
		});
	});
});

const iso = (ms: number) => new Date(ms).toISOString();

/** A naturalisation case that enters the assessment queue at `at`. */
function queued(reference: string, at: number) {
	return [
		submitted(reference, iso(at - 30 * DAY), { product: 'naturalisatie' }),
		stageEntered(reference, iso(at), 'assessment')
	];
}

async function ingest(db: Db, events: object[], now: number) {
	const result = await ingestEvents(db, { events }, { now: new Date(now) });
	expect(result.ok).toBe(true);
}

describeEachEngine('the case page says why its estimate moved', ({ db }) => {
	it('compares each visit with the one before, by sign-in session, and names the cause', async () => {
		// A Wednesday. Sixteen weeks ago ten cases a week began to enter, twelve weeks ago ten a
		// week began to leave: forty wait ahead of the applicant's case.
		const t0 = Date.parse('2026-09-02T10:00:00Z');
		const before = Array.from({ length: 160 }, () => newReference());
		const history = before.flatMap((ref, i) => queued(ref, t0 - 16 * WEEK + i * 0.1 * WEEK));
		const exits = before
			.slice(0, 120)
			.map((ref, i) => decided(ref, iso(t0 - 12 * WEEK + i * 0.1 * WEEK + HOUR)));
		const mine = newReference();
		await ingest(db(), [...history, ...exits, ...queued(mine, t0 - HOUR)], t0);
		const { applicant_id } = await db()
			.selectFrom('case')
			.select('applicant_id')
			.where('reference', '=', mine)
			.executeTakeFirstOrThrow();
		const visit = async (at: number, session: string) =>
			(await getCaseStatus(db(), applicant(applicant_id), mine, new Date(at), session)).queue!;

		const first = await visit(t0, 'session-1');
		expect(first).toMatchObject({ ahead: 40, moved: null });
		expect(first.turn.kind).toBe('estimate');
		expect((await visit(t0 + HOUR, 'session-1')).moved).toBeNull();

		// Two weeks in which two cases left instead of about twenty.
		const t1 = t0 + 2 * WEEK;
		await ingest(
			db(),
			before.slice(120, 122).map((ref, i) => decided(ref, iso(t0 + (i + 1) * 5 * DAY))),
			t1
		);
		const slower = await visit(t1, 'session-2');
		expect(slower.moved).toMatchObject({ cause: 'slower', since: iso(t0) });
		expect(Date.parse(slower.moved!.to)).toBeGreaterThan(Date.parse(slower.moved!.from) + WEEK);
		// A reload, or a second tab, of the same visit says the same.
		const { cause, since, from } = slower.moved!;
		expect((await visit(t1 + HOUR, 'session-2')).moved).toMatchObject({ cause, since, from });

		// The case system reports fifteen cases late that entered the queue before this one.
		const late = Array.from({ length: 15 }, () => newReference());
		await ingest(
			db(),
			late.flatMap((ref) => queued(ref, t0 - 2 * HOUR)),
			t1 + 2 * HOUR
		);
		const back = await visit(t1 + 3 * HOUR, 'session-3');
		expect(back.moved).toMatchObject({ cause: 'place_back', fromPosition: 39, toPosition: 54 });

		// Twenty cases that came after it are moved to the priority stream: two tabs at once.
		const urgent = Array.from({ length: 20 }, () => newReference());
		await ingest(
			db(),
			urgent.flatMap((ref) => queued(ref, t1 + 4 * HOUR)),
			t1 + 4 * HOUR
		);
		for (const ref of urgent) await moveToStream(db(), ref, 'priority');
		const [tab1, tab2] = await Promise.all([
			visit(t1 + 5 * HOUR, 'session-4'),
			visit(t1 + 5 * HOUR, 'session-4')
		]);
		expect(tab1.moved).toMatchObject({ cause: 'priority', count: 20, since: iso(t1 + 3 * HOUR) });
		expect(tab2.moved).toEqual(tab1.moved);
		expect((await visit(t1 + 6 * HOUR, 'session-4')).moved).toMatchObject({
			cause: 'priority',
			from: tab1.moved!.from
		});

		// Two weeks in which the twenty priority cases and forty of the others left.
		const t2 = t1 + 2 * WEEK;
		const leaving = [...urgent, ...before.slice(122), ...late.slice(0, 2)];
		await ingest(
			db(),
			leaving.map((ref, i) => decided(ref, iso(t1 + 6 * HOUR + i * 4 * HOUR))),
			t2
		);
		const faster = await visit(t2, 'session-5');
		expect(faster.moved).toMatchObject({ cause: 'faster' });
		expect(Date.parse(faster.moved!.to)).toBeLessThan(Date.parse(faster.moved!.from) - WEEK);

		// Nothing happened since: nothing to explain.
		expect((await visit(t2 + HOUR, 'session-6')).moved).toBeNull();
		// A day later within one session is a new visit too.
		expect((await visit(t2 + 2 * DAY, 'session-6')).moved).toBeNull();
	});

	it('compares and records nothing without a session', async () => {
		const t0 = Date.parse('2026-08-05T10:00:00Z');
		const ref = newReference();
		await ingest(db(), queued(ref, t0 - DAY), t0);
		const { id, applicant_id } = await db()
			.selectFrom('case')
			.select(['id', 'applicant_id'])
			.where('reference', '=', ref)
			.executeTakeFirstOrThrow();
		const status = await getCaseStatus(db(), applicant(applicant_id), ref, new Date(t0));
		expect(status.queue!.moved).toBeNull();
		expect(
			await db()
				.selectFrom('case_estimate_seen')
				.select('case_id')
				.where('case_id', '=', id)
				.execute()
		).toEqual([]);
	});
});
