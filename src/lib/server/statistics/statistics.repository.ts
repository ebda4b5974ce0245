import { sql } from 'kysely';
import type { Db } from '$lib/server/db';

/** Weeks and windows are calendar days in Dutch time, whatever the session's time zone. */
const TIME_ZONE = 'Europe/Amsterdam';

export interface QueueFiguresRow {
	product_code: string;
	stage_code: string;
	waiting: number;
	recent_exits: number;
	/** Median of left_at − entered_at over the window, in seconds; null when nobody left. */
	median_wait_seconds: number | null;
}

/**
 * Per queue stage, in the order of products and stages: how many wait now, and how many left
 * in [from, until) with their median wait. `from` and `until` are `YYYY-MM-DD` days in Dutch
 * time; `until` is not included.
 *
 * Each lateral subquery is bound to one (product_code, stage_code), so the waiting count is an
 * index-only scan of queue_entry_waiting_idx and the window a range scan of queue_entry_left_idx.
 */
export async function findQueueFigures(
	db: Db,
	window: { from: string; until: string }
): Promise<QueueFiguresRow[]> {
	const result = await sql<QueueFiguresRow>`
		select s.product_code, s.code as stage_code, waiting.n as waiting, recent.n as recent_exits,
			recent.median_wait_seconds
		from stage s
		join product p on p.code = s.product_code
		cross join lateral (
			select count(*)::int as n
			from queue_entry e
			where e.product_code = s.product_code and e.stage_code = s.code and e.left_at is null
		) waiting
		cross join lateral (
			select count(*)::int as n,
				percentile_cont(0.5) within group (order by extract(epoch from e.left_at - e.entered_at)) as median_wait_seconds
			from queue_entry e
			where e.product_code = s.product_code and e.stage_code = s.code
				and e.left_at >= (${window.from}::date)::timestamp at time zone ${TIME_ZONE}
				and e.left_at < (${window.until}::date)::timestamp at time zone ${TIME_ZONE}
		) recent
		where s.kind = 'queue'
		order by p.sort_order, s.position`.execute(db);
	return result.rows.map((r) => ({
		...r,
		median_wait_seconds: r.median_wait_seconds === null ? null : Number(r.median_wait_seconds)
	}));
}

export interface WeeklyExitsRow {
	product_code: string;
	stage_code: string;
	/** The Monday the week starts on, `YYYY-MM-DD` in Dutch time. */
	week_start: string;
	exits: number;
}

/**
 * Per queue stage and per week, how many left the queue. One row for every queue and every
 * given week, zeros included. A week runs from Monday 00:00 to the next Monday 00:00 in Dutch
 * time, so weeks with a daylight-saving change are 167 or 169 hours long.
 */
export async function countWeeklyExits(db: Db, weekStarts: string[]): Promise<WeeklyExitsRow[]> {
	if (weekStarts.length === 0) return [];
	const result = await sql<WeeklyExitsRow>`
		select s.product_code, s.code as stage_code, to_char(w.week_start, 'YYYY-MM-DD') as week_start,
			(
				select count(*)::int
				from queue_entry e
				where e.product_code = s.product_code and e.stage_code = s.code
					and e.left_at >= w.starts_at and e.left_at < w.ends_at
			) as exits
		from stage s
		join product p on p.code = s.product_code
		cross join (
			select d as week_start,
				d::timestamp at time zone ${TIME_ZONE} as starts_at,
				(d + 7)::timestamp at time zone ${TIME_ZONE} as ends_at
			from unnest(${weekStarts}::date[]) as d
		) w
		where s.kind = 'queue'
		order by p.sort_order, s.position, w.week_start`.execute(db);
	return result.rows;
}
