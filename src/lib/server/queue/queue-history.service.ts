import type { Db } from '$lib/server/db';
import { getProducts, queueStagesOf } from '$lib/server/products/products.service';
import { recentlyComputed } from '$lib/server/utils/recent';
import { addDays, weekStartOf } from '$lib/time';
import { DEFAULT_OPTIONS } from './estimator';
import {
	weeklyHistory,
	type DailyQueueCounts,
	type WeekCount,
	type WeeklyHistory
} from './history';
import {
	countDailyExits,
	countDailyPriorityEntries,
	findFirstQueueEntryAt,
	findNewestEvent,
	findRecentStageDurations
} from './queue-history.repository';

export type { WeekCount } from './history';
export type QueueModel = WeeklyHistory & {
	/** The weeks the case page's chart shows: one array per model, which the chart keys on. */
	chartWeeks: WeekCount[];
};

/** How many complete weeks the case page's chart shows. */
const CHART_WEEKS = 12;

export interface QueueModels {
	computedAt: Date;
	/** By `${product}/${stage}`: every queue stage, with or without exits. */
	queues: Map<string, QueueModel>;
	/** Recent durations in days by `${product}/${stage}`. */
	stageDurations: Map<string, number[]>;
	/** When the newest event from the case system arrived. */
	newestEventAt: Date | null;
}

const WEEK_MS = 7 * 86_400_000;

export async function computeQueueModels(db: Db, now: Date): Promise<QueueModels> {
	const thisMonday = weekStartOf(now);
	const firstMonday = addDays(thisMonday, -7 * DEFAULT_OPTIONS.maxWeeks);
	const days = Array.from({ length: 7 * DEFAULT_OPTIONS.maxWeeks }, (_, i) =>
		addDays(firstMonday, i)
	);
	const [products, exits, priority, stageDurations, newestEventAt, since] = await Promise.all([
		getProducts(db, now),
		countDailyExits(db, days),
		countDailyPriorityEntries(db, days),
		getStageDurations(db, now),
		findNewestEvent(db),
		findFirstQueueEntryAt(db)
	]);
	const byQueue = new Map<string, Map<string, DailyQueueCounts>>();
	const dayOf = (row: { product_code: string; stage_code: string; day: string }) => {
		const key = `${row.product_code}/${row.stage_code}`;
		let byDay = byQueue.get(key);
		if (!byDay) byQueue.set(key, (byDay = new Map()));
		let day = byDay.get(row.day);
		if (!day) byDay.set(row.day, (day = { day: row.day, exits: 0, priorityEntries: 0 }));
		return day;
	};
	for (const row of exits) dayOf(row).exits += row.n;
	for (const row of priority) dayOf(row).priorityEntries += row.n;

	const queues = new Map<string, QueueModel>();
	for (const stage of queueStagesOf(products)) {
		const key = `${stage.product_code}/${stage.code}`;
		const history = weeklyHistory(byQueue.get(key)?.values() ?? [], { now, since });
		queues.set(key, { ...history, chartWeeks: history.weeks.slice(-CHART_WEEKS) });
	}
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
