import { sql, type Insertable } from 'kysely';
import type { Db } from '$lib/server/db';
import type { Database } from '$lib/server/db/schema';

// Any constant: every insert takes this lock so the chain has one order.
const CHAIN_LOCK = 7_270_001;

/** Serialises appends to the chain until the transaction ends. */
export async function lockAuditChain(trx: Db): Promise<void> {
	await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
}

export async function findLastAuditRow(db: Db) {
	return db
		.selectFrom('audit_event')
		.select(['id', 'hash'])
		.orderBy('id', 'desc')
		.limit(1)
		.executeTakeFirst();
}

export async function countAuditRowsUpTo(db: Db, lastId: number): Promise<number> {
	const { rows } = await db
		.selectFrom('audit_event')
		.select((eb) => eb.fn.countAll<number>().as('rows'))
		.where('id', '<=', lastId)
		.executeTakeFirstOrThrow();
	return Number(rows);
}

export async function findAuditHash(db: Db, id: number): Promise<string | null> {
	const row = await db
		.selectFrom('audit_event')
		.select('hash')
		.where('id', '=', id)
		.executeTakeFirst();
	return row?.hash ?? null;
}

/** Appends a row and moves the head to it. */
export async function insertAuditRow(
	trx: Db,
	row: Insertable<Database['audit_event']> & { id: number; hash: string }
): Promise<void> {
	await trx.insertInto('audit_event').values(row).execute();
	await trx
		.insertInto('audit_head')
		.values({ singleton: true, last_id: row.id, last_hash: row.hash })
		.onConflict((oc) =>
			oc.column('singleton').doUpdateSet({ last_id: row.id, last_hash: row.hash })
		)
		.execute();
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
