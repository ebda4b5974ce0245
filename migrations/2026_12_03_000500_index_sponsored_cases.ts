import { sql, type Kysely } from 'kysely';

/**
 * The referent's list reads an organisation's cases in deadline order (open ones first) or by
 * submission date, a page at a time by key, and counts them by stage and deadline. These indexes
 * hold those orders and, included, every column the counts and filters read, so that an
 * organisation with 10,000 cases among millions is read from the index alone. They replace the
 * plain index on sponsor_kvk.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
		create index case_sponsor_deadline_idx on "case" (sponsor_kvk, (status <> 'open'), deadline, id)
		include (status, product_code, stage_code, stage_entered_at, submitted_at, applicant_id)
		where sponsor_kvk is not null`.execute(db);
	await sql`
		create index case_sponsor_submitted_idx on "case" (sponsor_kvk, submitted_at, id)
		where sponsor_kvk is not null`.execute(db);
	await sql`drop index case_sponsor_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`create index case_sponsor_idx on "case" (sponsor_kvk) where sponsor_kvk is not null`.execute(db);
	await sql`drop index case_sponsor_submitted_idx`.execute(db);
	await sql`drop index case_sponsor_deadline_idx`.execute(db);
}
