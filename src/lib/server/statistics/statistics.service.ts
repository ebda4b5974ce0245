import { recentlyComputed } from '$lib/server/utils/recent';
import type { Db } from '$lib/server/db';
import { addDays, weekStartOf, type IsoDate } from '$lib/time';
import * as repo from './statistics.repository';
import { estimateTurn, type TurnResult } from '$lib/server/queue/estimator';
import { computeQueueModels } from '$lib/server/queue/queue-history.service';
import {
	getPublicPlannerFigures,
	type PublicPlannerFigures
} from '$lib/server/planning/figures.service';
import {
	getPublicTriageFigures,
	type PublicTriageFigures
} from '$lib/server/triage/triage.service';

/** How many complete weeks the throughput chart shows. */
export const WEEKS_SHOWN = 12;
/** The median wait is taken over the exits of the last this many complete weeks. */
export const MEDIAN_WEEKS = 4;
/** Below this many exits in the window the median says too little to show. */
export const MIN_EXITS_FOR_MEDIAN = 10;

const SECONDS_PER_DAY = 86_400;

/** A period of whole days in Dutch time, both ends included. */
export interface Period {
	firstDay: IsoDate;
	lastDay: IsoDate;
}

export interface WeeklyExits extends Period {
	exits: number;
}

export interface QueueStatistics {
	product: string;
	stage: string;
	/** Cases in this queue now. */
	waiting: number;
	/** Cases that left the queue in each of the last complete weeks, oldest first. */
	weeklyExits: WeeklyExits[];
	/** Cases that left the queue during the median window. */
	recentExits: number;
	/** Median days between entering and leaving the queue, over the median window; null when too few left. */
	medianWaitDays: number | null;
	/** The expected wait of someone joining the queue now: behind everyone waiting. */
	newcomer: TurnResult;
}

export interface Statistics {
	computedAt: Date;
	/** The complete weeks (Monday to Sunday) the weekly figures cover, oldest first. */
	weeks: Period[];
	medianWindow: Period & { weeks: number; minimumExits: number };
	/** Every queue stage of every product, in the order of products and their stages. */
	queues: QueueStatistics[];
	/** The hearing planner's figures: no-show share and days to the first free slot. */
	hearings: PublicPlannerFigures;
	/** Requests for faster handling per month: counts only, small ones not shown. */
	priorityRequests: PublicTriageFigures;
}

/**
 * The queue figures as of `now`. Only complete weeks count: the week `now` falls in is left
 * out, so a figure does not jump when it is looked at early on a Monday.
 */
export async function getStatistics(db: Db, now: Date): Promise<Statistics> {
	const thisMonday = weekStartOf(now);
	const weekStarts = Array.from({ length: WEEKS_SHOWN }, (_, i) =>
		addDays(thisMonday, -7 * (WEEKS_SHOWN - i))
	);
	const weeks = weekStarts.map((firstDay) => ({ firstDay, lastDay: addDays(firstDay, 6) }));
	const medianFrom = addDays(thisMonday, -7 * MEDIAN_WEEKS);

	const [figures, models, hearings, priorityRequests] = await Promise.all([
		repo.findQueueFigures(db, { from: medianFrom, until: thisMonday }),
		computeQueueModels(db, now),
		getPublicPlannerFigures(db, now),
		getPublicTriageFigures(db, now)
	]);

	return {
		computedAt: now,
		weeks,
		medianWindow: {
			firstDay: medianFrom,
			lastDay: addDays(thisMonday, -1),
			weeks: MEDIAN_WEEKS,
			minimumExits: MIN_EXITS_FOR_MEDIAN
		},
		hearings,
		priorityRequests,
		queues: figures.map((f) => {
			const model = models.queues.get(`${f.product_code}/${f.stage_code}`);
			// The chart and the estimate count the same exits; weeks before the data began show 0.
			const byWeek = new Map(model?.weeks.map((w) => [w.firstDay, w.exits]));
			return {
				product: f.product_code,
				stage: f.stage_code,
				waiting: f.waiting,
				weeklyExits: weeks.map((w) => ({ ...w, exits: byWeek.get(w.firstDay) ?? 0 })),
				recentExits: f.recent_exits,
				medianWaitDays:
					f.recent_exits >= MIN_EXITS_FOR_MEDIAN && f.median_wait_seconds !== null
						? f.median_wait_seconds / SECONDS_PER_DAY
						: null,
				newcomer: estimateTurn({
					ahead: f.waiting,
					history: model?.history ?? { exitsPerWeek: [] }
				})
			};
		})
	};
}

/** How often the figures are computed again. */
export const STATISTICS_MAX_AGE_MS = 5 * 60_000;

/**
 * The figures, computed at most once per five minutes per process. The page shows when they
 * were computed, and callers that ask at the same moment share one computation. While the
 * database is down or slow, the last figures are served, however old.
 */
export const getRecentStatistics = recentlyComputed(STATISTICS_MAX_AGE_MS, getStatistics);

/** Figures older than two refresh periods could not be updated: the page says so. */
export function isOutdated(stats: Pick<Statistics, 'computedAt'>, now = new Date()): boolean {
	return now.getTime() - stats.computedAt.getTime() > 2 * STATISTICS_MAX_AGE_MS;
}
