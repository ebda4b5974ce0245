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
 * in id order. Call it last in a transaction, so that the lock is held briefly.
 */
export async function insertCaseChanges(trx: Trx, rows: CaseChangeRow[]) {
	if (rows.length === 0) return;
	await sql`select pg_advisory_xact_lock(${CHANGE_FEED_LOCK})`.execute(trx);
	await trx
		.insertInto('case_change')
		.values(rows.map((r) => ({ ...r, data: JSON.stringify(r.data) })))
		.execute();
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
