import { sql, type Kysely } from 'kysely';

/**
 * What the applicant's case page showed about the turn: at the latest visit, and at the visit
 * before it, so that the page can say why its estimate moved since then. One row per case; a
 * visit is a sign-in session, or a day of one. Estimates only, no personal data beyond the case.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('case_estimate_seen')
		.addColumn('case_id', 'integer', (c) =>
			c.primaryKey().references('case.id').onDelete('cascade')
		)
		.addColumn('session_id', 'text', (c) => c.notNull())
		.addColumn('seen_at', 'timestamptz', (c) => c.notNull())
		.addColumn('latest', 'jsonb', (c) => c.notNull())
		.addColumn('previous', 'jsonb')
		.addCheckConstraint(
			'case_estimate_seen_snapshots',
			sql`jsonb_typeof(latest) = 'object' and (previous is null or jsonb_typeof(previous) = 'object')`
		)
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('case_estimate_seen').execute();
}
