import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await sql`create type staff_role as enum ('referent_member', 'referent_admin', 'counter', 'triage', 'planner', 'admin')`.execute(db);
	await sql`create type account_kind as enum ('applicant', 'referent', 'staff')`.execute(db);

	await db.schema
		.createTable('organisation')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('kvk', 'text', (c) => c.notNull().unique().check(sql`kvk ~ '^[0-9]{8}$'`))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable('app_user')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('email', 'text', (c) => c.notNull())
		.addColumn('password_hash', 'text', (c) => c.notNull())
		.addColumn('display_name', 'text', (c) => c.notNull())
		.addColumn('kind', sql`account_kind`, (c) => c.notNull())
		.addColumn('applicant_id', 'integer', (c) => c.unique().references('applicant.id'))
		.addColumn('language', 'text', (c) => c.notNull().defaultTo('nl'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('disabled_at', 'timestamptz')
		.addCheckConstraint('app_user_applicant_kind', sql`(kind = 'applicant') = (applicant_id is not null)`)
		.execute();
	await sql`create unique index app_user_email_unique on app_user (lower(email))`.execute(db);

	await db.schema
		.createTable('user_role')
		.addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
		.addColumn('role', sql`staff_role`, (c) => c.notNull())
		.addColumn('organisation_id', 'integer', (c) => c.references('organisation.id'))
		.addColumn('desk', 'text')
		.addColumn('granted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('user_role_pk', ['user_id', 'role'])
		.addCheckConstraint('user_role_organisation', sql`(role in ('referent_member', 'referent_admin')) = (organisation_id is not null)`)
		.addCheckConstraint('user_role_desk', sql`role <> 'counter' or desk is not null`)
		.execute();

	await db.schema
		.createTable('user_session')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('user_agent', 'text')
		.execute();
	await db.schema.createIndex('user_session_user_idx').on('user_session').column('user_id').execute();

	await db.schema
		.createTable('activation_code')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('case_id', 'integer', (c) => c.notNull().references('case.id'))
		.addColumn('code_hash', 'text', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('used_at', 'timestamptz')
		.addColumn('replaced_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('activation_code_case_idx').on('activation_code').column('case_id').execute();

	await db.schema
		.createTable('password_reset')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('used_at', 'timestamptz')
		.execute();

	// Failed attempts per key (account+IP, IP) in a fixed window, shared by every app instance.
	await db.schema
		.createTable('auth_throttle')
		.addColumn('key', 'text', (c) => c.primaryKey())
		.addColumn('window_start', 'timestamptz', (c) => c.notNull())
		.addColumn('failures', 'integer', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('email_outbox')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('to_address', 'text', (c) => c.notNull())
		.addColumn('subject', 'text', (c) => c.notNull())
		.addColumn('body_text', 'text', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('sent_at', 'timestamptz')
		.addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('last_error', 'text')
		.execute();
	await sql`create index email_outbox_unsent_idx on email_outbox (id) where sent_at is null`.execute(db);

	await db.schema
		.createTable('audit_event')
		.addColumn('id', 'bigint', (c) => c.primaryKey())
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
		.addColumn('prev_hash', 'text', (c) => c.notNull())
		.addColumn('hash', 'text', (c) => c.notNull())
		.execute();
	// The newest link of the chain, so that deleting the last rows is noticed too.
	await db.schema
		.createTable('audit_head')
		.addColumn('singleton', 'boolean', (c) => c.primaryKey().defaultTo(true).check(sql`singleton`))
		.addColumn('last_id', 'bigint', (c) => c.notNull())
		.addColumn('last_hash', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('audit_event_case_idx').on('audit_event').columns(['case_id', 'at']).execute();
	await sql`create trigger audit_event_append_only before update or delete on audit_event
		for each row execute function forbid_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of ['audit_head', 'audit_event', 'email_outbox', 'auth_throttle', 'password_reset', 'activation_code', 'user_session', 'user_role', 'app_user', 'organisation']) {
		await db.schema.dropTable(table).execute();
	}
	await sql`drop type account_kind`.execute(db);
	await sql`drop type staff_role`.execute(db);
}
