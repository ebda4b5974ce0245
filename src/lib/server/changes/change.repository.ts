import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { CaseChangeKind } from '$lib/server/db/schema';

export type Trx = Transaction<Database>;

/** One lock for every mover of `case_change_pending` into `case_change`; see `moveCaseChangeRows`. */
const CHANGE_FEED_LOCK = 7_202_612_020_001;

export interface CaseChangeRow {
	kind: CaseChangeKind;
	appointment_id: number | null;
	case_reference: string;
	data: Record<string, unknown>;
}

/** Records changes in the writer's transaction, without a lock; they reach the feed when moved. */
export async function insertPendingCaseChanges(trx: Trx, rows: CaseChangeRow[]) {
	if (rows.length === 0) return;
	await sql`
		insert into case_change_pending (kind, appointment_id, case_reference, data)
		select r.kind::case_change_kind, r.appointment_id, r.case_reference, r.data
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
			as r(kind text, appointment_id bigint, case_reference text, data jsonb)`.execute(trx);
}

/**
 * Moves up to `limit` committed pending changes into the feed, oldest first. An identity value is
 * taken at insert but becomes visible at commit, so two movers could commit out of id order and
 * a reader at `after=` would skip the smaller one: the lock, held to commit, lets movers commit
 * one at a time in id order. It is taken in a statement of its own, so that the move's snapshot
 * sees what the mover before it took away.
 */
export async function moveCaseChangeRows(trx: Trx, limit: number): Promise<number> {
	await sql`select pg_advisory_xact_lock(${CHANGE_FEED_LOCK})`.execute(trx);
	const { rows } = await sql<{ moved: number }>`
		with taken as (
			delete from case_change_pending
			where id in (select id from case_change_pending order by id limit ${limit})
			returning *
		), moved as (
			insert into case_change (at, kind, appointment_id, case_reference, data)
			select at, kind, appointment_id, case_reference, data from taken order by id
			returning 1
		)
		select count(*)::int as moved from moved`.execute(trx);
	return rows[0].moved;
}

export async function findCaseChangesAfter(db: Db, after: number, limit: number) {
	return db
		.selectFrom('case_change')
		.selectAll()
		.where('id', '>', after)
		.orderBy('id')
		.limit(limit)
		.execute();
}
