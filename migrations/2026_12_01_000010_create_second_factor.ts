import { sql, type Kysely } from 'kysely';

/**
 * The second factor: a TOTP key per account, its single-use recovery codes (hashed), and the
 * pending sign-in between password and code, which is not a session. The outbox also keeps a
 * copy of each message with its secrets (links, codes) blanked, for people who may read the
 * outbox but not use what it sends.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('user_totp')
		.addColumn('user_id', 'integer', (c) => c.primaryKey().references('app_user.id').onDelete('cascade'))
		.addColumn('secret', 'text', (c) => c.notNull())
		.addColumn('enrolled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		// The 30-second step of the last code accepted: a code is refused unless its step is later.
		.addColumn('last_step', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();

	await db.schema
		.createTable('recovery_code')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
		.addColumn('code_hash', 'text', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('used_at', 'timestamptz')
		.addUniqueConstraint('recovery_code_unique', ['user_id', 'code_hash'])
		.execute();

	await db.schema
		.createTable('pending_login')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		// A key offered during enrolment at sign-in; it becomes the account's only once confirmed.
		.addColumn('enrol_secret', 'text')
		.addColumn('user_agent', 'text')
		.execute();
	await db.schema.createIndex('pending_login_user_idx').on('pending_login').column('user_id').execute();
	await db.schema.createIndex('pending_login_expires_idx').on('pending_login').column('expires_at').execute();

	await db.schema.alterTable('email_outbox').addColumn('body_redacted', 'text').execute();

	// Sessions of people who now need a second factor were opened with a password alone.
	await sql`delete from user_session where user_id in (
		select user_id from user_role where role in ('counter', 'triage', 'planner', 'admin', 'referent_admin'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('email_outbox').dropColumn('body_redacted').execute();
	await db.schema.dropTable('pending_login').execute();
	await db.schema.dropTable('recovery_code').execute();
	await db.schema.dropTable('user_totp').execute();
}
