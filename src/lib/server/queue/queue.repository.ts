import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { QueueStream } from '$lib/server/db/schema';

/** Locks a case for a change of its stream. */
export async function lockCaseByReference(trx: Transaction<Database>, reference: string) {
	return trx
		.selectFrom('case')
		.select('id')
		.where('reference', '=', reference)
		.forUpdate()
		.executeTakeFirst();
}

export async function updateCaseStream(
	trx: Transaction<Database>,
	caseId: number,
	stream: QueueStream
) {
	await trx
		.updateTable('case')
		.set({ stream, updated_at: new Date() })
		.where('id', '=', caseId)
		.execute();
	await trx
		.updateTable('queue_entry')
		.set({ stream })
		.where('case_id', '=', caseId)
		.where('left_at', 'is', null)
		.execute();
}

interface PositionRow {
	id: number;
	stage_code: string;
	stream: QueueStream;
	entered_at: Date;
	ahead: number;
	/** Of those ahead, the priority stream's cases (for a normal-stream entry). */
	priority_ahead: number;
	waiting: number;
}

/** JSON carries timestamps as text. */
type PositionJson = Omit<PositionRow, 'entered_at'> & { entered_at: string };

/**
 * Cases ahead of an open entry and the queue's length, in one statement so that all figures come
 * from one snapshot. Cases ahead are summed from the counts of the earlier months, of the earlier
 * days of the entry's month and of the earlier hours of its day, plus a count of the entries of
 * its own hour: about a hundred rows whatever the queue's length and intake.
 */
function positionStatement(me: RawBuilder<unknown>) {
	return sql<PositionRow>`
		with me as (
			select id, product_code, stage_code, stream, entered_at,
				date_trunc('month', entered_at at time zone 'UTC')::date as month,
				(entered_at at time zone 'UTC')::date as day,
				date_trunc('hour', entered_at, 'UTC') as hour
			from queue_entry where ${me} and left_at is null
		),
		months as (
			select
				sum(m.waiting) filter (where m.month < me.month and m.stream = me.stream or m.stream = 'priority' and me.stream = 'normal') as before,
				sum(m.waiting) filter (where m.stream = 'priority' and me.stream = 'normal') as priority_before,
				sum(m.waiting) as total
			from queue_month_count m join me on m.product_code = me.product_code and m.stage_code = me.stage_code
		),
		days as (
			select sum(d.waiting) as before
			from queue_day_count d join me on d.product_code = me.product_code and d.stage_code = me.stage_code
				and d.stream = me.stream and d.day >= me.month and d.day < me.day
		),
		hours as (
			select sum(h.waiting) as before
			from queue_hour_count h join me on h.product_code = me.product_code and h.stage_code = me.stage_code
				and h.stream = me.stream and h.hour >= (me.day::timestamp at time zone 'UTC') and h.hour < me.hour
		)
		select me.id, me.stage_code, me.stream, me.entered_at,
			coalesce((select before from months), 0)
			+ coalesce((select before from days), 0)
			+ coalesce((select before from hours), 0)
			+ (select count(*) from queue_entry q
				where q.product_code = me.product_code and q.stage_code = me.stage_code and q.stream = me.stream
				and q.left_at is null
				and q.entered_at >= me.hour
				and (q.entered_at, q.id) < (me.entered_at, me.id)) as ahead,
			coalesce((select priority_before from months), 0) as priority_ahead,
			coalesce((select total from months), 0) as waiting
		from me`;
}

async function findPosition(db: Db, me: RawBuilder<unknown>) {
	const row = (await positionStatement(me).execute(db)).rows[0];
	return row
		? {
				...row,
				ahead: Number(row.ahead),
				priority_ahead: Number(row.priority_ahead),
				waiting: Number(row.waiting)
			}
		: null;
}

/**
 * The position of the case `caseId` refers to, as a JSON column of a query on "case" (null when
 * it waits in no queue), so that the page that shows the case reads both in one round trip.
 */
export function positionColumn(caseId: RawBuilder<unknown>) {
	return sql<PositionJson | null>`(select to_json(p) from (${positionStatement(sql`case_id = ${caseId}`)}) p)`;
}

/** A position read as JSON (`positionColumn`), with its types back. */
export function positionFromJson(row: PositionJson | null): PositionRow | null {
	return (
		row && {
			...row,
			entered_at: new Date(row.entered_at),
			ahead: Number(row.ahead),
			priority_ahead: Number(row.priority_ahead),
			waiting: Number(row.waiting)
		}
	);
}

export function findPositionOfEntry(db: Db, entryId: number) {
	return findPosition(db, sql`id = ${entryId}`);
}

/** The position of a case in the queue it waits in, by reference, so that it can run beside the query that reads the case. */
export function findPositionOfReference(db: Db, reference: string) {
	return findPosition(db, sql`case_id = (select id from "case" where reference = ${reference})`);
}
