import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
// Weeks and windows are calendar days in Dutch time, whatever the session's time zone.
import { TIME_ZONE } from '$lib/time';

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
