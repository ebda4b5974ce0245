import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { CaseChangeKind } from '$lib/server/db/schema';

export type Trx = Transaction<Database>;

/** One lock for every writer of `case_change`; see `insertCaseChanges`. */
const CHANGE_FEED_LOCK = 7_202_612_020_001;

export interface CaseChangeRow {
	kind: CaseChangeKind;
	appointment_id: number | null;
	case_reference: string;
	data: Record<string, unknown>;
}

/**
 * Appends to the change feed. An identity value is taken at insert but becomes visible at
 * commit, so two writers could commit out of id order and a reader at `after=` would skip the
 * smaller one. The transaction-level lock, held to commit, makes writers commit one at a time
 * in id order. The lock is taken in the statement that inserts, before the first identity value
 * is drawn; call it last in a transaction, so that the lock is held briefly.
 */
export async function insertCaseChanges(trx: Trx, rows: CaseChangeRow[]) {
	if (rows.length === 0) return;
	await sql`
		with feed_lock as (select pg_advisory_xact_lock(${CHANGE_FEED_LOCK}))
		insert into case_change (kind, appointment_id, case_reference, data)
		select r.kind::case_change_kind, r.appointment_id, r.case_reference, r.data
		from feed_lock, jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
			as r(kind text, appointment_id bigint, case_reference text, data jsonb)`.execute(trx);
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
