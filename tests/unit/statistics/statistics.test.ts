import { beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '$lib/server/events/event.service';
import {
	getRecentStatistics,
	getStatistics,
	type Statistics
} from '$lib/server/statistics/statistics.service';
import { weekStartOf as mondayOf } from '$lib/time';
import { describeEachEngine } from '../helpers/engines';
import { decided, newReference, stageEntered, submitted } from '../helpers/factories';

// A Wednesday. Its week (from Monday 23 November) is not complete, so the twelve weeks shown
// run from Monday 31 August to Sunday 22 November, and the median window is the last four:
// Monday 26 October to Sunday 22 November. Summer time ends on Sunday 25 October 2026.
const NOW = new Date('2026-11-25T12:00:00+01:00');

type Event =
	ReturnType<typeof submitted> | ReturnType<typeof stageEntered> | ReturnType<typeof decided>;

/** A case that enters `queue` of `product` at `enteredAt` and, if `leftAt` is given, leaves it then. */
function queueVisit(
	product: string,
	queue: string,
	enteredAt: string,
	leftAt?: string,
	leaveBy = 'decision'
): Event[] {
	const ref = newReference();
	const events: Event[] = [
		submitted(ref, enteredAt, { product }),
		stageEntered(ref, enteredAt, queue)
	];
	if (leftAt)
		events.push(leaveBy === 'decision' ? decided(ref, leftAt) : stageEntered(ref, leftAt, leaveBy));
	return events;
}

function day(n: number): string {
	return String(n).padStart(2, '0');
}

function queue(stats: Statistics, product: string, stage: string) {
	const found = stats.queues.find((q) => q.product === product && q.stage === stage);
	if (!found) throw new Error(`no queue ${product}/${stage}`);
	return found;
}

describe('mondayOf', () => {
	it('takes the week in Dutch time, not in UTC', () => {
		expect(mondayOf(new Date('2026-11-22T23:30:00Z'))).toBe('2026-11-23');
		expect(mondayOf(new Date('2026-11-22T22:30:00Z'))).toBe('2026-11-16');
		expect(mondayOf(NOW)).toBe('2026-11-23');
	});
});

describeEachEngine('queue statistics', ({ db }) => {
	let stats: Statistics;

	beforeAll(async () => {
		const events: Event[] = [
			// nareis: ten leave in the week of 2 and of 9 November after waiting 1 to 10 days.
			...Array.from({ length: 10 }, (_, i) =>
				queueVisit(
					'nareis',
					'assessment',
					'2026-11-01T09:00:00+01:00',
					`2026-11-${day(2 + i)}T09:00:00+01:00`,
					i % 2 ? 'decision' : 'embassy_interview'
				)
			).flat(),
			// One leaves half an hour after midnight on Monday 26 October, after 14 days and 1 hour
			// (summer time ended in between); one half an hour before, still in the week before.
			...queueVisit(
				'nareis',
				'assessment',
				'2026-10-12T00:30:00+02:00',
				'2026-10-26T00:30:00+01:00'
			),
			...queueVisit(
				'nareis',
				'assessment',
				'2026-10-20T09:00:00+02:00',
				'2026-10-25T23:30:00+01:00'
			),
			// Two in the first week shown, one just before it.
			...queueVisit(
				'nareis',
				'assessment',
				'2026-08-01T09:00:00+02:00',
				'2026-09-01T09:00:00+02:00'
			),
			...queueVisit(
				'nareis',
				'assessment',
				'2026-08-02T09:00:00+02:00',
				'2026-09-06T23:59:00+02:00'
			),
			...queueVisit(
				'nareis',
				'assessment',
				'2026-08-03T09:00:00+02:00',
				'2026-08-30T12:00:00+02:00'
			),
			// Two leave in the current, incomplete week, after 1 and 20 days: not counted, and not waiting.
			...queueVisit(
				'nareis',
				'assessment',
				'2026-11-23T09:00:00+01:00',
				'2026-11-24T09:00:00+01:00'
			),
			...queueVisit(
				'nareis',
				'assessment',
				'2026-11-04T09:00:00+01:00',
				'2026-11-24T09:00:00+01:00'
			),
			// Three still wait.
			...queueVisit('nareis', 'assessment', '2026-11-12T09:00:00+01:00'),
			...queueVisit('nareis', 'assessment', '2026-11-13T09:00:00+01:00'),
			...queueVisit('nareis', 'assessment', '2026-11-20T09:00:00+01:00'),
			// gezinshereniging: three leave in the window: too few for a median. One waits.
			...queueVisit(
				'gezinshereniging',
				'assessment',
				'2026-10-01T09:00:00+02:00',
				'2026-11-03T09:00:00+01:00'
			),
			...queueVisit(
				'gezinshereniging',
				'assessment',
				'2026-10-02T09:00:00+02:00',
				'2026-11-04T09:00:00+01:00'
			),
			...queueVisit(
				'gezinshereniging',
				'assessment',
				'2026-10-03T09:00:00+02:00',
				'2026-11-05T09:00:00+01:00'
			),
			...queueVisit('gezinshereniging', 'assessment', '2026-10-04T09:00:00+02:00')
		];
		// asiel: one case goes through the registration interview queue into the next queue.
		const ref = newReference();
		events.push(
			submitted(ref, '2026-10-05T09:00:00+02:00'),
			stageEntered(ref, '2026-10-06T09:00:00+02:00', 'registration_interview_queue'),
			stageEntered(ref, '2026-11-04T09:00:00+01:00', 'registration_interview'),
			stageEntered(ref, '2026-11-05T09:00:00+01:00', 'detailed_interview_queue')
		);
		const result = await ingestEvents(db(), { events });
		expect(result).toEqual({ ok: true, accepted: events.length, duplicates: 0 });
		stats = await getStatistics(db(), NOW);
	});

	it('lists every queue stage of every product, in product and stage order', () => {
		expect(stats.queues.map((q) => `${q.product}/${q.stage}`)).toEqual([
			'asiel/registration_interview_queue',
			'asiel/detailed_interview_queue',
			'asiel/assessment',
			'nareis/assessment',
			'gezinshereniging/assessment',
			'verlenging/assessment',
			'kennismigrant/assessment',
			'studie/assessment',
			'naturalisatie/assessment'
		]);
	});

	it('covers twelve complete weeks and a four-week median window before the current week', () => {
		expect(stats.computedAt).toEqual(NOW);
		expect(stats.weeks).toHaveLength(12);
		expect(stats.weeks[0]).toEqual({ firstDay: '2026-08-31', lastDay: '2026-09-06' });
		expect(stats.weeks[11]).toEqual({ firstDay: '2026-11-16', lastDay: '2026-11-22' });
		expect(stats.medianWindow).toEqual({
			firstDay: '2026-10-26',
			lastDay: '2026-11-22',
			weeks: 4,
			minimumExits: 10
		});
	});

	it('counts who waits now', () => {
		expect(queue(stats, 'nareis', 'assessment').waiting).toBe(3);
		expect(queue(stats, 'gezinshereniging', 'assessment').waiting).toBe(1);
		expect(queue(stats, 'asiel', 'registration_interview_queue').waiting).toBe(0);
		expect(queue(stats, 'asiel', 'detailed_interview_queue').waiting).toBe(1);
		expect(queue(stats, 'studie', 'assessment').waiting).toBe(0);
	});

	it('counts who left per week, by Monday-to-Sunday weeks in Dutch time', () => {
		const nareis = queue(stats, 'nareis', 'assessment');
		expect(nareis.weeklyExits.map((w) => w.exits)).toEqual([2, 0, 0, 0, 0, 0, 0, 1, 1, 7, 3, 0]);
		expect(nareis.weeklyExits[9]).toEqual({
			firstDay: '2026-11-02',
			lastDay: '2026-11-08',
			exits: 7
		});
		expect(
			queue(stats, 'asiel', 'registration_interview_queue').weeklyExits.map((w) => w.exits)
		).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
		expect(queue(stats, 'verlenging', 'assessment').weeklyExits.map((w) => w.exits)).toEqual(
			Array(12).fill(0)
		);
	});

	it('gives the median wait of those who left in the last four weeks', () => {
		const nareis = queue(stats, 'nareis', 'assessment');
		// Waits of 1 to 10 days and one of 14 days and an hour: the middle one of eleven is 6 days.
		expect(nareis.recentExits).toBe(11);
		expect(nareis.medianWaitDays).toBeCloseTo(6, 6);
	});

	it('gives no median when fewer than ten left in the window', () => {
		const family = queue(stats, 'gezinshereniging', 'assessment');
		expect(family.recentExits).toBe(3);
		expect(family.medianWaitDays).toBeNull();
		expect(queue(stats, 'kennismigrant', 'assessment')).toMatchObject({
			recentExits: 0,
			medianWaitDays: null
		});
	});

	it('takes the median over an even number of exits as the mean of the middle two', async () => {
		// A week later the exit of 26 October has left the window and the two of 24 November
		// have come in: waits of 1, 1, 2, … 10 and 20 days, so the middle two are 5 and 6.
		const later = await getStatistics(db(), new Date('2026-12-01T12:00:00+01:00'));
		const nareis = queue(later, 'nareis', 'assessment');
		expect(nareis.recentExits).toBe(12);
		expect(nareis.medianWaitDays).toBeCloseTo(5.5, 6);
		expect(nareis.weeklyExits.map((w) => w.exits)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 7, 3, 0, 2]);
	});

	it('reuses figures computed less than five minutes ago', async () => {
		const first = await getRecentStatistics(db(), NOW);
		const soon = await getRecentStatistics(db(), new Date(NOW.getTime() + 60_000));
		expect(soon).toBe(first);
		// Expired: the last figures come at once, with the moment they were computed, while new ones are made.
		const later = await getRecentStatistics(db(), new Date(NOW.getTime() + 6 * 60_000));
		expect(later).toBe(first);
		let fresh = later;
		for (let i = 0; i < 100 && fresh === first; i++) {
			await new Promise((resolve) => setTimeout(resolve, 100));
			fresh = await getRecentStatistics(db(), new Date(NOW.getTime() + 6 * 60_000 + 1));
		}
		expect(fresh).not.toBe(first);
		expect(fresh.computedAt).toEqual(new Date(NOW.getTime() + 6 * 60_000));
	});
});
