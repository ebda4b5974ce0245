import { sql, type Kysely } from 'kysely';

/**
 * Schrijnend triage: a request for faster handling (not the legal "toets op schrijnendheid"),
 * its documents, and the decision of the triage officers against versioned conditions.
 *
 * The database holds the invariants: one open request (draft or sent) per case, a partial unique
 * index; a document's type and size within the limits; an acceptance confirmed by an officer
 * other than the one who proposed it; a sent request declared true.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`create type triage_request_status as enum ('draft', 'sent', 'decided', 'withdrawn')`.execute(db);
	await sql`create type triage_outcome as enum ('accepted', 'not_accepted')`.execute(db);
	// The case system learns each decision through the change feed. Not used in this transaction.
	await sql`alter type case_change_kind add value if not exists 'triage_decided'`.execute(db);

	// The grounds the IND maintains. Their names and explanations are translated in the locales
	// (triage:grounds.<code>); a ground that is no longer offered is made inactive, never deleted.
	await db.schema
		.createTable('triage_ground')
		.addColumn('code', 'text', (c) => c.primaryKey().check(sql`code ~ '^[a-z_]{2,40}$'`))
		.addColumn('position', 'integer', (c) => c.notNull())
		.addColumn('health', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
		.execute();
	await db
		.insertInto('triage_ground')
		.values([
			{ code: 'medical', position: 1, health: true },
			{ code: 'safety', position: 2, health: false },
			{ code: 'child_family', position: 3, health: false },
			{ code: 'irreversible_harm', position: 4, health: false },
			{ code: 'ind_error', position: 5, health: false },
			{ code: 'other', position: 6, health: false }
		])
		.execute();

	// The conditions are published as a whole, in versions; a decision records the version it
	// was tested against. A version is never changed after it is published.
	await db.schema
		.createTable('triage_condition_version')
		.addColumn('version', 'integer', (c) => c.primaryKey().check(sql`version > 0`))
		.addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('published_by', 'integer', (c) => c.references('app_user.id'))
		.execute();
	await db.schema
		.createTable('triage_condition')
		.addColumn('version', 'integer', (c) => c.notNull().references('triage_condition_version.version'))
		.addColumn('code', 'text', (c) => c.notNull().check(sql`code ~ '^[a-z0-9_]{2,40}$'`))
		.addColumn('position', 'integer', (c) => c.notNull())
		.addColumn('text_nl', 'text', (c) => c.notNull().check(sql`length(text_nl) between 1 and 1000`))
		.addColumn('text_en', 'text', (c) => c.notNull().check(sql`length(text_en) between 1 and 1000`))
		.addColumn('active', 'boolean', (c) => c.notNull())
		.addPrimaryKeyConstraint('triage_condition_pk', ['version', 'code'])
		.execute();
	await sql`
		create function triage_condition_frozen() returns trigger language plpgsql as $$
		begin
			raise exception 'a published version of the triage conditions is never changed' using errcode = 'P0001';
		end $$`.execute(db);
	await sql`create trigger triage_condition_frozen before update or delete on triage_condition
		for each row execute function triage_condition_frozen()`.execute(db);
	await db.insertInto('triage_condition_version').values({ version: 1, published_by: null }).execute();
	await db
		.insertInto('triage_condition')
		.values([
			{
				version: 1,
				code: 'evidence',
				position: 1,
				active: true,
				text_nl: 'De situatie blijkt uit de documenten (bijvoorbeeld een verklaring van een arts, de politie of een school).',
				text_en: 'The documents show the situation (for example a statement of a doctor, the police or a school).'
			},
			{
				version: 1,
				code: 'urgency',
				position: 2,
				active: true,
				text_nl: 'Snellere behandeling voorkomt of beperkt de schade of het gevaar.',
				text_en: 'Faster handling prevents or limits the harm or the danger.'
			},
			{
				version: 1,
				code: 'caused_by_wait',
				position: 3,
				active: true,
				text_nl: 'Het probleem komt door het wachten op de beslissing, of wordt erdoor groter.',
				text_en: 'The problem is caused, or made worse, by waiting for the decision.'
			},
			{
				version: 1,
				code: 'no_other_remedy',
				position: 4,
				active: true,
				text_nl: 'Er is geen andere manier om het probleem op te lossen.',
				text_en: 'There is no other way to solve the problem.'
			}
		])
		.execute();

	await db.schema
		.createTable('triage_request')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		// Given when the request is sent; the applicant quotes it.
		.addColumn('reference', 'text', (c) => c.unique().check(sql`reference ~ '^VSB-[0-9A-Z]{4}-[0-9A-Z]{4}$'`))
		.addColumn('case_id', 'integer', (c) => c.notNull().references('case.id'))
		.addColumn('created_by', 'integer', (c) => c.notNull().references('app_user.id'))
		.addColumn('status', sql`triage_request_status`, (c) => c.notNull().defaultTo('draft'))
		.addColumn('grounds', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
		.addColumn('explanation', 'text', (c) => c.notNull().defaultTo('').check(sql`length(explanation) <= 4000`))
		// What changed since the last decision on this case; asked only after a decision.
		.addColumn('what_changed', 'text', (c) => c.check(sql`length(what_changed) <= 2000`))
		.addColumn('health_consent_at', 'timestamptz')
		.addColumn('declared_at', 'timestamptz')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('sent_at', 'timestamptz')
		.addColumn('target_date', 'date')
		.addColumn('withdrawn_at', 'timestamptz')
		.addCheckConstraint(
			'triage_request_sent_complete',
			sql`status in ('draft', 'withdrawn') or (sent_at is not null and declared_at is not null
				and reference is not null and target_date is not null and cardinality(grounds) > 0 and length(explanation) > 0)`
		)
		.addCheckConstraint('triage_request_withdrawn_at', sql`(status = 'withdrawn') = (withdrawn_at is not null)`)
		.execute();
	// One open request per case: two tabs or two submissions at once cannot make a second.
	await sql`create unique index triage_request_one_open on triage_request (case_id) where status in ('draft', 'sent')`.execute(db);
	await sql`create index triage_request_fifo_idx on triage_request (sent_at, id) where status = 'sent'`.execute(db);
	await sql`create index triage_request_draft_idx on triage_request (created_at) where status = 'draft'`.execute(db);
	await db.schema.createIndex('triage_request_case_idx').on('triage_request').column('case_id').execute();

	// Documents live in the database under generated ids; the user's file name is only a label.
	await db.schema
		.createTable('triage_document')
		.addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('request_id', 'integer', (c) => c.notNull().references('triage_request.id').onDelete('cascade'))
		.addColumn('label', 'text', (c) => c.notNull().check(sql`length(label) between 1 and 200`))
		.addColumn('content_type', 'text', (c) =>
			c.notNull().check(sql`content_type in ('application/pdf', 'image/jpeg', 'image/png')`)
		)
		.addColumn('size', 'integer', (c) => c.notNull().check(sql`size > 0 and size <= 10485760`))
		.addColumn('sha256', 'text', (c) => c.notNull())
		.addColumn('content', 'bytea', (c) => c.notNull())
		.addColumn('added_by', 'integer', (c) => c.notNull().references('app_user.id'))
		.addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addCheckConstraint('triage_document_size_matches', sql`octet_length(content) = size`)
		.execute();
	await db.schema.createIndex('triage_document_request_idx').on('triage_document').column('request_id').execute();

	// The decision: proposed by one officer; an acceptance takes effect when a second confirms it
	// (four eyes, configurable), a refusal at once. Its reasons stay after the documents go.
	await db.schema
		.createTable('triage_decision')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('request_id', 'integer', (c) => c.notNull().unique().references('triage_request.id'))
		.addColumn('outcome', sql`triage_outcome`, (c) => c.notNull())
		.addColumn('conditions_version', 'integer', (c) => c.notNull().references('triage_condition_version.version'))
		.addColumn('conditions_met', sql`text[]`, (c) => c.notNull())
		.addColumn('reasons', sql`text[]`, (c) => c.notNull())
		.addColumn('reason_text', 'text', (c) => c.notNull().defaultTo('').check(sql`length(reason_text) <= 2000`))
		.addColumn('decided_by', 'integer', (c) => c.notNull().references('app_user.id'))
		.addColumn('decided_at', 'timestamptz', (c) => c.notNull())
		.addColumn('confirmed_by', 'integer', (c) => c.references('app_user.id'))
		.addColumn('confirmed_at', 'timestamptz')
		// When the decision took effect (the applicant sees it, the case moved); null while it waits.
		.addColumn('effective_at', 'timestamptz')
		.addColumn('documents_deleted_at', 'timestamptz')
		.addCheckConstraint('triage_decision_four_eyes', sql`confirmed_by is null or confirmed_by <> decided_by`)
		.addCheckConstraint('triage_decision_confirmed_pair', sql`(confirmed_by is null) = (confirmed_at is null)`)
		.addCheckConstraint('triage_decision_has_reason', sql`cardinality(reasons) > 0 or length(reason_text) > 0`)
		.execute();
	await sql`create index triage_decision_retention_idx on triage_decision (effective_at) where documents_deleted_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of [
		'triage_decision',
		'triage_document',
		'triage_request',
		'triage_condition',
		'triage_condition_version',
		'triage_ground'
	])
		await db.schema.dropTable(table).execute();
	await sql`drop function triage_condition_frozen()`.execute(db);
	for (const type of ['triage_outcome', 'triage_request_status'])
		await sql`drop type ${sql.raw(type)}`.execute(db);
	// PostgreSQL cannot drop an enum value; 'triage_decided' stays in case_change_kind.
}
