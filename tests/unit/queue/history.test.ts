import { describe, expect, it } from 'vitest';
import { ingestEvents } from '$lib/server/events/event.service';
import { weeklyHistory, type DailyQueueCounts } from '$lib/server/queue/history';
import { computeQueueModels } from '$lib/server/queue/queue-history.service';
import { dailyCounts, type QueueSpan } from '../../bench/support/queue-days';
import { describeEachEngine } from '../helpers/engines';
import { decided, newReference, stageEntered, submitted } from '../helpers/factories';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const day = (date: string, exits: number, priorityEntries = 0): DailyQueueCounts => ({
	day: date,
	exits,
	priorityEntries
});

describe('weeklyHistory', () => {
	// Wednesday 25 November 2026, 13:00 Dutch time: the current week began on Monday 23 November.
	const now = new Date('2026-11-25T12:00:00Z');

	it('counts exits per complete Dutch week, oldest first, and leaves the current week out', () => {
		const { history, weeks } = weeklyHistory(
			[
				day('2026-11-04', 1), // three weeks back
				day('2026-11-18', 1), // last week
				day('2026-11-22', 1), // Sunday: still last week
				day('2026-11-23', 5) // this week: not complete
			],
			{ now, weeks: 4, since: new Date('2026-10-01T00:00:00Z') }
		);
		expect(history.exitsPerWeek).toEqual([0, 1, 0, 2]);
		expect(history.priorityEntriesPerWeek).toEqual([0, 0, 0, 0]);
		// Monday 00:00 CET is 23:00 UTC on Sunday: 2 days and 13 hours before `now`.
		expect(history.weeksSinceEnd).toBeCloseTo((2 * 24 + 13) / (7 * 24), 9);
		expect(weeks.map((w) => [w.firstDay, w.lastDay, w.exits])).toEqual([
			['2026-10-26', '2026-11-01', 0],
			['2026-11-02', '2026-11-08', 1],
			['2026-11-09', '2026-11-15', 0],
			['2026-11-16', '2026-11-22', 2]
		]);
	});

	it('leaves out weeks before the data starts, so a young queue is not a stalled one', () => {
		const days = [day('2026-11-18', 1)];
		// The data begins on Wednesday 11 November: that week counts, the ones before do not.
		const young = weeklyHistory(days, { now, since: new Date('2026-11-11T09:00:00Z') });
		expect(young.history.exitsPerWeek).toEqual([0, 1]);
		expect(young.weeks[0].firstDay).toBe('2026-11-09');
		const old = weeklyHistory(days, { now, since: new Date('2025-01-01T00:00:00Z') });
		expect(old.history.exitsPerWeek).toHaveLength(26);
		expect(weeklyHistory([], { now, since: null }).history.exitsPerWeek).toEqual([]);
	});

	it('counts entries into the priority stream', () => {
		const { history } = weeklyHistory(
			[day('2026-11-04', 0, 1), day('2026-11-10', 0, 1), day('2026-11-18', 1)],
			{ now, weeks: 3, since: new Date('2026-01-01T00:00:00Z') }
		);
		expect(history.priorityEntriesPerWeek).toEqual([1, 1, 0]);
		expect(history.exitsPerWeek).toEqual([0, 0, 1]);
	});

	it('ends the last complete week at Dutch midnight in a summer week (UTC+2)', () => {
		// Monday 6 July 2026, 00:30 Dutch summer time: the week of 29 June has just ended, 30 minutes ago.
		const summer = new Date('2026-07-05T22:30:00Z');
		const { history, weeks } = weeklyHistory([day('2026-07-05', 3), day('2026-07-06', 7)], {
			now: summer,
			weeks: 2,
			since: new Date('2026-01-01T00:00:00Z')
		});
		expect(weeks.map((w) => w.firstDay)).toEqual(['2026-06-22', '2026-06-29']);
		expect(history.exitsPerWeek).toEqual([0, 3]);
		expect(history.weeksSinceEnd).toBeCloseTo(0.5 / (7 * 24), 9);
	});
});

type Event =
	ReturnType<typeof submitted> | ReturnType<typeof stageEntered> | ReturnType<typeof decided>;

describeEachEngine('the case page and the backtest build the same history', ({ db }) => {
	it('gives the same weeks from queue_entry rows as from the same spans in memory', async () => {
		// Wednesday 8 April 2026, after summer time began on 29 March.
		const now = new Date('2026-04-08T10:00:00Z');
		const spans: QueueSpan[] = [];
		const events: Event[] = [];
		// Cases that enter the studie queue and leave it around Dutch midnight, across the change.
		const base = Date.parse('2026-02-02T08:00:00Z');
		for (let i = 0; i < 24; i++) {
			const ref = newReference();
			const enteredAt = base + i * 2 * DAY_MS;
			// Alternately half an hour before and after Dutch midnight, in winter and in summer time.
			const leftDay = Date.parse('2026-03-09T00:00:00Z') + i * 1.5 * DAY_MS;
			const offset = leftDay >= Date.parse('2026-03-29T01:00:00Z') ? 2 : 1;
			const leftAt =
				Math.floor(leftDay / DAY_MS) * DAY_MS - offset * HOUR_MS + (i % 2 ? 30 : -30) * 60_000;
			const iso = (t: number) => new Date(t).toISOString();
			events.push(
				submitted(ref, iso(enteredAt - HOUR_MS), { product: 'studie' }),
				stageEntered(ref, iso(enteredAt), 'assessment')
			);
			if (leftAt < now.getTime()) {
				events.push(decided(ref, iso(leftAt)));
				spans.push({ enteredAt, leftAt });
			} else spans.push({ enteredAt, leftAt: null });
		}
		events.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
		const result = await ingestEvents(db(), { events });
		expect(result.ok).toBe(true);

		const models = await computeQueueModels(db(), now);
		const page = models.queues.get('studie/assessment')!;
		const backtest = weeklyHistory(dailyCounts(spans), {
			now,
			since: Math.min(...spans.map((s) => s.enteredAt))
		});
		expect(page.history.exitsPerWeek.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
		const { chartWeeks, ...history } = page;
		expect(history).toEqual(backtest);
		expect(chartWeeks).toEqual(backtest.weeks.slice(-12));
		// Every queue stage has a model, also those no case has entered.
		expect(models.queues.get('asiel/assessment')?.history.exitsPerWeek.every((n) => n === 0)).toBe(
			true
		);
	});
});
