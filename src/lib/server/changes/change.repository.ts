import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { CaseChangeKind } from '$lib/server/db/schema';

export type Trx = Transaction<Database>;

export interface CaseChangeRow {
	kind: CaseChangeKind;
	appointment_id: number | null;
	case_reference: string;
	data: Record<string, unknown>;
}

/**
 * Appends to the change feed. The row's place in the feed (`seq`) is drawn as the transaction
 * commits, by a deferred trigger under a lock that PostgreSQL releases once the commit is visible
 * (migration 2026_12_02_000020): so places become visible in order and a reader at `after=` skips
 * nothing, while writers never wait on one another before their commit.
 */
export async function insertCaseChanges(trx: Trx, rows: CaseChangeRow[]) {
	if (rows.length === 0) return;
	await sql`
		insert into case_change (kind, appointment_id, case_reference, data)
		select r.kind::case_change_kind, r.appointment_id, r.case_reference, r.data
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
			as r(kind text, appointment_id bigint, case_reference text, data jsonb)`.execute(trx);
}

/**
 * `insert into case_change … select … from <source>`: the change once for each row of `source`,
 * a CTE of the statement it is placed in, whose `id` column is the appointment's.
 */
export function caseChangeFromAppointment(
	source: string,
	change: Omit<CaseChangeRow, 'appointment_id'>
) {
	return sql`insert into case_change (kind, appointment_id, case_reference, data)
		select ${change.kind}::case_change_kind, ${sql.ref(`${source}.id`)}, ${change.case_reference},
			${JSON.stringify(change.data)}::jsonb
		from ${sql.table(source)}`;
}

export async function findCaseChangesAfter(db: Db, after: number, limit: number) {
	return db
		.selectFrom('case_change')
		.select(['seq', 'at', 'kind', 'appointment_id', 'case_reference', 'data'])
		.where('seq', '>', after)
		.orderBy('seq')
		.limit(limit)
		.execute();
}
