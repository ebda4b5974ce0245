import { sql, type Kysely } from 'kysely';

/**
 * Audit rows of busy paths (the hearing planner's bookings, moves and cancellations) are written
 * here in the action's own transaction, without a lock, and moved into the chain (`audit_event`)
 * in id order soon after commit. Appending to the chain inside each booking held the chain's head
 * lock until commit, and a rush of bookings queued on it. The app role may add, read and remove
 * rows here (the chainer moves them), not change them.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('audit_pending')
		.addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
		.addColumn('at', 'timestamptz', (c) => c.notNull())
		.addColumn('actor_user_id', 'integer')
		.addColumn('actor_role', 'text', (c) => c.notNull())
		.addColumn('actor_organisation', 'text')
		.addColumn('actor_desk', 'text')
		.addColumn('action', 'text', (c) => c.notNull())
		.addColumn('case_id', 'integer')
		.addColumn('subject', 'text')
		.addColumn('reason', 'text')
		.addColumn('ip', 'text')
		.addColumn('details', 'jsonb', (c) => c.notNull())
		.execute();
	await sql`
		do $$
		begin
			if exists (select 1 from pg_roles where rolname = 'mijn_aanvraag_app') then
				revoke all on audit_pending from mijn_aanvraag_app;
				grant select, insert, delete on audit_pending to mijn_aanvraag_app;
			end if;
		end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('audit_pending').execute();
}
