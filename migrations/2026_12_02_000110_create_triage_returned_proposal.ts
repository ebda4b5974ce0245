import { sql, type Kysely } from 'kysely';

/**
 * Four eyes, the other way: the second officer may send a proposed acceptance back instead of
 * confirming it. The proposal leaves triage_decision (the request waits for a new decision) and
 * is kept here with who sent it back and why, so that the proposer reads the reason.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('triage_returned_proposal')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('request_id', 'integer', (c) => c.notNull().references('triage_request.id'))
		.addColumn('outcome', sql`triage_outcome`, (c) => c.notNull())
		.addColumn('conditions_version', 'integer', (c) => c.notNull().references('triage_condition_version.version'))
		.addColumn('conditions_met', sql`text[]`, (c) => c.notNull())
		.addColumn('reasons', sql`text[]`, (c) => c.notNull())
		.addColumn('reason_text', 'text', (c) => c.notNull())
		.addColumn('proposed_by', 'integer', (c) => c.notNull().references('app_user.id'))
		.addColumn('proposed_at', 'timestamptz', (c) => c.notNull())
		.addColumn('returned_by', 'integer', (c) => c.notNull().references('app_user.id'))
		.addColumn('returned_at', 'timestamptz', (c) => c.notNull())
		.addColumn('return_reason', 'text', (c) => c.notNull().check(sql`length(return_reason) between 1 and 1000`))
		.addCheckConstraint('triage_returned_four_eyes', sql`returned_by <> proposed_by`)
		.execute();
	await db.schema
		.createIndex('triage_returned_proposal_request_idx')
		.on('triage_returned_proposal')
		.column('request_id')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('triage_returned_proposal').execute();
}
