import { sql, type Kysely } from 'kysely';

/**
 * The referent's daily e-mail digest: one row per member and organisation, on or off, with the
 * moment up to which changes were reported (the watermark) and the Dutch day of the last run, so
 * that a second run on the same day, on another app server, sends nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('referent_digest')
		.addColumn('user_id', 'integer', (c) =>
			c.notNull().references('app_user.id').onDelete('cascade')
		)
		.addColumn('organisation_id', 'integer', (c) =>
			c.notNull().references('organisation.id').onDelete('cascade')
		)
		.addColumn('enabled', 'boolean', (c) => c.notNull())
		.addColumn('reported_until', 'timestamptz', (c) => c.notNull())
		.addColumn('last_run_on', 'date')
		.addColumn('last_sent_at', 'timestamptz')
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('referent_digest_pkey', ['user_id', 'organisation_id'])
		.execute();
	await sql`create index referent_digest_organisation_idx on referent_digest (organisation_id)`.execute(
		db
	);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('referent_digest').execute();
}
