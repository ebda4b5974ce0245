import { sql, type Kysely } from 'kysely';

/**
 * Changes for the case system's feed are written here in the action's own transaction, without
 * a lock, and moved into `case_change` (the feed, whose ids must become visible in order) by one
 * mover at a time when the feed is read. Before, every writer took the feed's lock and held it
 * to commit, and a rush of bookings queued on it.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('case_change_pending')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('kind', sql`case_change_kind`, (c) => c.notNull())
		.addColumn('appointment_id', 'integer', (c) => c.references('appointment.id'))
		.addColumn('case_reference', 'text', (c) => c.notNull())
		.addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('case_change_pending').execute();
}
