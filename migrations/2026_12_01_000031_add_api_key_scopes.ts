import { sql, type Kysely } from 'kysely';

/**
 * API keys get scopes and a rate limit of their own; issuing an activation letter becomes
 * idempotent per request id. Keys that existed before scopes keep doing what they did: both scopes.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`alter table api_key add column scopes text[] not null default '{}'`.execute(db);
	await sql`update api_key set scopes = '{events:write,letters:issue}'`.execute(db);
	await sql`alter table api_key add constraint api_key_scopes_known check (scopes <@ array['events:write', 'letters:issue']::text[])`.execute(db);
	await sql`alter table api_key add column requests_per_minute integer not null default 600`.execute(db);
	await sql`alter table api_key add constraint api_key_requests_per_minute_positive check (requests_per_minute > 0)`.execute(db);

	// One row per request id that issued a letter. `sealed` is the letter's response encrypted with a key
	// derived from the request id, which only the caller holds; it is cleared when the replay window ends.
	await db.schema
		.createTable('activation_letter_request')
		.addColumn('request_hash', 'text', (c) => c.primaryKey())
		.addColumn('api_key_id', 'integer', (c) => c.notNull().references('api_key.id'))
		.addColumn('case_id', 'integer', (c) => c.notNull().references('case.id'))
		.addColumn('activation_code_id', 'integer', (c) => c.notNull().references('activation_code.id'))
		.addColumn('sealed', 'text')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('replay_until', 'timestamptz', (c) => c.notNull())
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addCheckConstraint('activation_letter_request_hash', sql`request_hash ~ '^[0-9a-f]{64}$'`)
		.execute();
	await sql`create index activation_letter_request_sealed_idx on activation_letter_request (replay_until) where sealed is not null`.execute(db);
	await db.schema.createIndex('activation_letter_request_expires_idx').on('activation_letter_request').column('expires_at').execute();
	await db.schema.createIndex('activation_letter_request_code_idx').on('activation_letter_request').column('activation_code_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('activation_letter_request').execute();
	await sql`alter table api_key drop constraint api_key_requests_per_minute_positive`.execute(db);
	await sql`alter table api_key drop column requests_per_minute`.execute(db);
	await sql`alter table api_key drop constraint api_key_scopes_known`.execute(db);
	await sql`alter table api_key drop column scopes`.execute(db);
}
