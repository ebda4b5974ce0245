import { sql, type Insertable } from 'kysely';
import type { Db } from '$lib/server/db';
import type { Database } from '$lib/server/db/schema';

/**
 * Locks the head of the chain until the transaction ends and returns it: every append takes
 * this row lock, so the chain has one order. A row lock, unlike an advisory lock taken in a
 * statement of its own, hands back the newest committed head in the same round trip: the lock
 * is held only for the few statements that follow. `undefined` when the chain is empty.
 */
export async function lockAuditHead(trx: Db) {
	return trx
		.selectFrom('audit_head')
		.select(['last_id as id', 'last_hash as hash'])
		.where('singleton', '=', true)
		.forUpdate()
		.executeTakeFirst();
}

/** Held only while the chain has no head row yet: its first writers queue on it. */
const EMPTY_CHAIN_LOCK = 7_202_612_020_002n;

/**
 * The first append has no head row to lock, so its writers queue on an advisory lock and look
 * again: the writer before may have written the head meanwhile. Not a table lock: each writer
 * holds a share lock on the table from looking for the head, and two writers upgrading that
 * to a table lock deadlocked.
 */
export async function lockEmptyAuditChain(trx: Db) {
	await sql`select pg_advisory_xact_lock(${EMPTY_CHAIN_LOCK})`.execute(trx);
	return (await lockAuditHead(trx)) ?? findLastAuditRow(trx);
}

export async function findLastAuditRow(db: Db) {
	return db
		.selectFrom('audit_event')
		.select(['id', 'hash'])
		.orderBy('id', 'desc')
		.limit(1)
		.executeTakeFirst();
}

/**
 * The log up to row `lastId`, in one statement: how many rows it has, and the hash of that row
 * (null when there is no such row).
 */
export async function findAuditPrefix(db: Db, lastId: number) {
	const prefix = await db
		.selectFrom('audit_event')
		.select((eb) => [
			eb.fn.countAll<number>().as('rows'),
			eb
				.selectFrom('audit_event as last')
				.select('last.hash')
				.where('last.id', '=', lastId)
				.as('hash')
		])
		.where('id', '<=', lastId)
		.executeTakeFirstOrThrow();
	return { rows: Number(prefix.rows), hash: prefix.hash };
}

type ChainedRow = Insertable<Database['audit_event']> & { id: number; hash: string };

/** Appends rows (in id order) and moves the head to the last, in one statement. */
export async function insertAuditRows(trx: Db, rows: ChainedRow[]): Promise<void> {
	if (rows.length === 0) return;
	await trx
		.with('appended', (db) => db.insertInto('audit_event').values(rows).returning(['id', 'hash']))
		.insertInto('audit_head')
		.columns(['singleton', 'last_id', 'last_hash'])
		.expression((eb) =>
			eb
				.selectFrom('appended')
				.select([sql.lit(true).as('singleton'), 'id', 'hash'])
				.orderBy('id', 'desc')
				.limit(1)
		)
		.onConflict((oc) =>
			oc.column('singleton').doUpdateSet((eb) => ({
				last_id: eb.ref('excluded.last_id'),
				last_hash: eb.ref('excluded.last_hash')
			}))
		)
		.execute();
}

/** A row to be chained after its transaction commits; no lock. */
export async function insertPendingAuditRow(
	trx: Db,
	row: Insertable<Database['audit_pending']>
): Promise<void> {
	await trx.insertInto('audit_pending').values(row).execute();
}

/**
 * `insert into audit_pending … select … from <source>`: one pending row for each row of
 * `source`, a CTE of the statement it is placed in, so that a statement that may change nothing
 * records only what it did.
 */
export function pendingAuditRowFrom(source: string, row: Insertable<Database['audit_pending']>) {
	return sql`insert into audit_pending
		(at, actor_user_id, actor_role, actor_organisation, actor_desk, action, case_id, subject, reason, ip, details)
		select ${row.at}::timestamptz, ${row.actor_user_id ?? null}::int, ${row.actor_role}, ${row.actor_organisation ?? null},
			${row.actor_desk ?? null}, ${row.action}, ${row.case_id ?? null}::int, ${row.subject ?? null}, ${row.reason ?? null},
			${row.ip ?? null}, ${row.details}::jsonb
		from ${sql.table(source)}`;
}

/** Removes up to `limit` committed pending rows, the oldest first, and returns them in id order. */
export async function takePendingAuditRows(trx: Db, limit: number) {
	const rows = await trx
		.deleteFrom('audit_pending')
		.where('id', 'in', (eb) =>
			eb.selectFrom('audit_pending').select('id').orderBy('id').limit(limit)
		)
		.returningAll()
		.execute();
	return rows.sort((a, b) => a.id - b.id);
}

export async function findAuditBatch(db: Db, fromId: number, limit: number) {
	return db
		.selectFrom('audit_event')
		.selectAll()
		.where('id', '>=', fromId)
		.orderBy('id')
		.limit(limit)
		.execute();
}

export async function findAuditHead(db: Db) {
	return db.selectFrom('audit_head').selectAll().executeTakeFirst();
}
