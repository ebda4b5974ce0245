import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import { TIME_ZONE } from '$lib/time';

/**
 * Per queue and Dutch calendar day in [from, until): how many left the queue. Each lateral
 * subquery is bound to one queue, so it is a range scan of queue_entry_left_idx.
 */
export async function countDailyExits(db: Db, from: Date, until: Date) {
	const result = await sql<{ product_code: string; stage_code: string; day: string; n: number }>`
		select s.product_code, s.code as stage_code, d.day, d.n
		from stage s
		cross join lateral (
			select to_char(e.left_at at time zone ${TIME_ZONE}, 'YYYY-MM-DD') as day, count(*)::int as n
			from queue_entry e
			where e.product_code = s.product_code and e.stage_code = s.code
				and e.left_at >= ${from} and e.left_at < ${until}
			group by 1
		) d
		where s.kind = 'queue'`.execute(db);
	return result.rows;
}

/** Per queue and Dutch calendar day in [from, until): how many cases entered the priority stream. */
export async function countDailyPriorityEntries(db: Db, from: Date, until: Date) {
	const result = await sql<{ product_code: string; stage_code: string; day: string; n: number }>`
		select product_code, stage_code,
			to_char(entered_at at time zone ${TIME_ZONE}, 'YYYY-MM-DD') as day, count(*)::int as n
		from queue_entry
		where stream = 'priority' and entered_at >= ${from} and entered_at < ${until}
		group by 1, 2, 3`.execute(db);
	return result.rows;
}

/** When the first case entered any queue: the data begins there. */
export async function findFirstQueueEntryAt(db: Db): Promise<Date | null> {
	const row = await db
		.selectFrom('queue_entry')
		.select((eb) => eb.fn.min('entered_at').as('first'))
		.executeTakeFirst();
	return row?.first ? new Date(row.first) : null;
}

/**
 * Recent durations, in days, of every stage of every product: from entering the stage to the
 * next event of the case, for cases whose next event fell in [from, until). At most `perStage`
 * of the most recent per stage.
 */
export async function findRecentStageDurations(db: Db, from: Date, until: Date, perStage = 500) {
	const result = await sql<{ product_code: string; stage_code: string; days: number }>`
		with steps as (
			select c.product_code,
				coalesce(e.data->>'stage', case when e.type = 'case.submitted' then first_stage.code end) as stage_code,
				e.occurred_at,
				lead(e.occurred_at) over (partition by e.case_id order by e.occurred_at, e.received_at) as next_at
			from case_event e
			join "case" c on c.id = e.case_id
			cross join lateral (select s.code from stage s where s.product_code = c.product_code order by s.position limit 1) first_stage
			where e.type in ('case.submitted', 'case.stage_entered', 'case.decided', 'case.withdrawn')
				and e.occurred_at >= ${from}::timestamptz - interval '2 years'
				and c.id in (select case_id from case_event where occurred_at >= ${from} and occurred_at < ${until})
		),
		ranked as (
			select product_code, stage_code, extract(epoch from next_at - occurred_at) / 86400 as days,
				row_number() over (partition by product_code, stage_code order by next_at desc) as n
			from steps
			where stage_code is not null and next_at >= ${from} and next_at < ${until}
		)
		select product_code, stage_code, days::float8 as days from ranked where n <= ${perStage}`.execute(
		db
	);
	return result.rows.map((r) => ({ ...r, days: Number(r.days) }));
}

/** The newest moment the case system sent anything, and when that arrived. */
export async function findNewestEvent(db: Db) {
	const row = await db
		.selectFrom('case_event')
		.select((eb) => [eb.fn.max('received_at').as('received_at')])
		.executeTakeFirst();
	return row?.received_at ?? null;
}
