import type { Db } from '$lib/server/db';
import { addDays } from '$lib/server/cases/deadline';
import { countWeeklyExits } from '$lib/server/statistics/statistics.repository';
import { mondayOf } from '$lib/server/statistics/statistics.service';
import { recentlyComputed } from '$lib/server/utils/recent';
import { DEFAULT_OPTIONS, type QueueHistory } from './estimator';
import {
	countWeeklyPriorityEntries,
	findNewestEvent,
	findRecentStageDurations
} from './queue-history.repository';

export interface WeekCount {
	firstDay: string;
	lastDay: string;
	exits: number;
}

export interface QueueModel {
	history: QueueHistory;
	/** The weeks of `history`, for charts (oldest first). */
	weeks: WeekCount[];
}

export interface QueueModels {
	computedAt: Date;
	/** By `${product}/${stage}`. */
	queues: Map<string, QueueModel>;
	/** Recent durations in days by `${product}/${stage}`. */
	stageDurations: Map<string, number[]>;
	/** When the newest event from the case system arrived. */
	newestEventAt: Date | null;
}

const WEEK_MS = 7 * 86_400_000;

export async function computeQueueModels(db: Db, now: Date): Promise<QueueModels> {
	const weeksBack = DEFAULT_OPTIONS.maxWeeks;
	const thisMonday = mondayOf(now);
	const weekStarts = Array.from({ length: weeksBack }, (_, i) =>
		addDays(thisMonday, -7 * (weeksBack - i))
	);
	const until = new Date(`${thisMonday}T00:00:00+01:00`);
	const [exits, priority, stageDurations, newestEventAt, firstEntry] = await Promise.all([
		countWeeklyExits(db, weekStarts),
		countWeeklyPriorityEntries(db, weekStarts),
		getStageDurations(db, now),
		findNewestEvent(db),
		db
			.selectFrom('queue_entry')
			.select((eb) => eb.fn.min('entered_at').as('first'))
			.executeTakeFirst()
	]);
	// Weeks before the first data are unknown, not weeks without exits.
	const since = firstEntry?.first ? new Date(firstEntry.first).getTime() : now.getTime();
	const firstWeek = weekStarts.findIndex(
		(w) => new Date(`${w}T00:00:00Z`).getTime() + WEEK_MS > since
	);
	const usable = firstWeek < 0 ? [] : weekStarts.slice(firstWeek);

	const priorityByKey = new Map<string, number>();
	for (const p of priority)
		priorityByKey.set(`${p.product_code}/${p.stage_code}/${p.week_start}`, p.entries);
	const queues = new Map<string, QueueModel>();
	for (const row of exits) {
		const key = `${row.product_code}/${row.stage_code}`;
		let model = queues.get(key);
		if (!model)
			queues.set(
				key,
				(model = { history: { exitsPerWeek: [], priorityEntriesPerWeek: [] }, weeks: [] })
			);
		if (!usable.includes(row.week_start)) continue;
		(model.history.exitsPerWeek as number[]).push(row.exits);
		(model.history.priorityEntriesPerWeek as number[]).push(
			priorityByKey.get(`${key}/${row.week_start}`) ?? 0
		);
		model.weeks.push({
			firstDay: row.week_start,
			lastDay: addDays(row.week_start, 6),
			exits: row.exits
		});
	}
	for (const model of queues.values())
		model.history.weeksSinceEnd = Math.max(0, (now.getTime() - until.getTime()) / WEEK_MS);

	return { computedAt: now, queues, stageDurations, newestEventAt };
}

async function computeStageDurations(db: Db, now: Date): Promise<Map<string, number[]>> {
	const rows = await findRecentStageDurations(
		db,
		new Date(now.getTime() - DEFAULT_OPTIONS.maxWeeks * WEEK_MS),
		now
	);
	const byStage = new Map<string, number[]>();
	for (const d of rows) {
		const key = `${d.product_code}/${d.stage_code}`;
		const list = byStage.get(key) ?? [];
		list.push(d.days);
		byStage.set(key, list);
	}
	return byStage;
}

/** How long later stages take moves slowly, and reading it walks half a year of events. */
const getStageDurations = recentlyComputed(15 * 60_000, computeStageDurations);

/** The queue models, computed at most once a minute per process: the status page reads them per request. */
export const getQueueModels = recentlyComputed(60_000, computeQueueModels);
