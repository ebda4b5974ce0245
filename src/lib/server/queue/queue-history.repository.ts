import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import { TIME_ZONE } from '$lib/time';

/**
 * Per queue stage and Dutch calendar day (`YYYY-MM-DD`), how many left the queue; zeros
 * included. One count per stage and day, each an index-only range scan of queue_entry_left_idx:
 * faster than grouping the exits by a day computed per row.
 */
export async function countDailyExits(db: Db, days: string[]) {
	if (days.length === 0) return [];
	const result = await sql<{ product_code: string; stage_code: string; day: string; n: number }>`
		select s.product_code, s.code as stage_code, to_char(d.day, 'YYYY-MM-DD') as day,
			(
				select count(*)::int
				from queue_entry e
				where e.product_code = s.product_code and e.stage_code = s.code
					and e.left_at >= d.starts_at and e.left_at < d.ends_at
			) as n
		from stage s
		cross join (
			select day, day::timestamp at time zone ${TIME_ZONE} as starts_at,
				(day + 1)::timestamp at time zone ${TIME_ZONE} as ends_at
			from unnest(${days}::date[]) as day
		) d
		where s.kind = 'queue'`.execute(db);
	return result.rows;
}

/** Per queue and Dutch calendar day (`YYYY-MM-DD`): how many cases entered the priority stream. */
export async function countDailyPriorityEntries(db: Db, days: string[]) {
	if (days.length === 0) return [];
	const result = await sql<{ product_code: string; stage_code: string; day: string; n: number }>`
		select e.product_code, e.stage_code, to_char(d.day, 'YYYY-MM-DD') as day, count(*)::int as n
		from unnest(${days}::date[]) as d(day)
		join queue_entry e on e.stream = 'priority'
			and e.entered_at >= d.day::timestamp at time zone ${TIME_ZONE}
			and e.entered_at < (d.day + 1)::timestamp at time zone ${TIME_ZONE}
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
				coalesce(e.data->>'stage', case e.type when 'case.submitted' then first_stage.code
					when 'case.documents_requested' then (select s.code from stage s
						where s.product_code = c.product_code and s.kind = 'documents' limit 1) end) as stage_code,
				e.occurred_at,
				lead(e.occurred_at) over (partition by e.case_id order by e.occurred_at, e.received_at) as next_at
			from case_event e
			join "case" c on c.id = e.case_id
			cross join lateral (select s.code from stage s where s.product_code = c.product_code order by s.position limit 1) first_stage
			where e.type in ('case.submitted', 'case.stage_entered', 'case.documents_requested', 'case.decided', 'case.withdrawn')
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
