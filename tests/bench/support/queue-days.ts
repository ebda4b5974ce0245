/**
 * What the database's queue_entry rows give the case page, computed from a queue's spans in
 * memory: exits and priority entries per Dutch calendar day (as countDailyExits and
 * countDailyPriorityEntries in queue-history.repository.ts count them). The backtest feeds
 * them to the same `weeklyHistory` the page uses.
 */
import type { DailyQueueCounts } from '../../../src/lib/server/queue/history';
import { dutchDate } from '../../../src/lib/time';

/** One case's stay in one queue, as a `queue_entry` row holds it. */
export interface QueueSpan {
	enteredAt: number;
	/** Null while the case is still waiting. */
	leftAt: number | null;
	stream?: 'normal' | 'priority';
}

export function dailyCounts(spans: Iterable<QueueSpan>): DailyQueueCounts[] {
	const days = new Map<string, DailyQueueCounts>();
	const on = (moment: number) => {
		const day = dutchDate(moment);
		let counts = days.get(day);
		if (!counts) days.set(day, (counts = { day, exits: 0, priorityEntries: 0 }));
		return counts;
	};
	for (const span of spans) {
		if (span.leftAt !== null) on(span.leftAt).exits++;
		if (span.stream === 'priority') on(span.enteredAt).priorityEntries++;
	}
	return [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}
