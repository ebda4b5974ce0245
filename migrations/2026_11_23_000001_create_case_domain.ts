import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await sql`create type stage_kind as enum ('queue', 'applicant', 'appointment', 'fixed', 'final')`.execute(db);
	await sql`create type term_unit as enum ('days', 'months')`.execute(db);
	await sql`create type case_status as enum ('open', 'decided', 'withdrawn')`.execute(db);
	await sql`create type queue_stream as enum ('priority', 'normal')`.execute(db);

	await db.schema
		.createTable('product')
		.addColumn('code', 'text', (c) => c.primaryKey())
		.addColumn('term_value', 'integer', (c) => c.notNull().check(sql`term_value > 0`))
		.addColumn('term_unit', sql`term_unit`, (c) => c.notNull())
		.addColumn('extension_value', 'integer', (c) => c.check(sql`extension_value > 0`))
		.addColumn('extension_unit', sql`term_unit`)
		.addColumn('target_days', 'integer')
		.addColumn('sort_order', 'integer', (c) => c.notNull())
		.addCheckConstraint('product_extension_pair', sql`(extension_value is null) = (extension_unit is null)`)
		.execute();

	await db.schema
		.createTable('stage')
		.addColumn('product_code', 'text', (c) => c.notNull().references('product.code'))
		.addColumn('code', 'text', (c) => c.notNull())
		.addColumn('position', 'integer', (c) => c.notNull())
		.addColumn('kind', sql`stage_kind`, (c) => c.notNull())
		.addColumn('fixed_days', 'integer', (c) => c.check(sql`fixed_days > 0`))
		.addColumn('optional', 'boolean', (c) => c.notNull().defaultTo(false))
		.addPrimaryKeyConstraint('stage_pk', ['product_code', 'code'])
		.addUniqueConstraint('stage_position_unique', ['product_code', 'position'])
		.execute();

	await db.schema
		.createTable('applicant')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('v_number', 'text', (c) => c.notNull().unique())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('birth_date', 'date', (c) => c.notNull())
		.addColumn('language', 'text', (c) => c.notNull())
		.addColumn('email', 'text')
		.execute();

	await db.schema
		.createTable('case')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('reference', 'text', (c) => c.notNull().unique())
		.addColumn('applicant_id', 'integer', (c) => c.notNull().references('applicant.id'))
		.addColumn('product_code', 'text', (c) => c.notNull().references('product.code'))
		.addColumn('sponsor_kvk', 'text')
		.addColumn('language', 'text', (c) => c.notNull())
		.addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
		.addColumn('deadline', 'date', (c) => c.notNull())
		.addColumn('original_deadline', 'date', (c) => c.notNull())
		.addColumn('deadline_reason', 'text')
		.addColumn('stage_code', 'text', (c) => c.notNull())
		.addColumn('stage_entered_at', 'timestamptz', (c) => c.notNull())
		.addColumn('stream', sql`queue_stream`, (c) => c.notNull().defaultTo('normal'))
		.addColumn('status', sql`case_status`, (c) => c.notNull().defaultTo('open'))
		.addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('granted', 'refused', 'other')`))
		.addColumn('last_event_at', 'timestamptz', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addForeignKeyConstraint('case_stage_fk', ['product_code', 'stage_code'], 'stage', ['product_code', 'code'])
		.addCheckConstraint('case_deadline_after_submission', sql`deadline >= submitted_at::date`)
		.addCheckConstraint('case_outcome_when_decided', sql`(status = 'decided') = (outcome is not null)`)
		.execute();
	await db.schema.createIndex('case_applicant_idx').on('case').column('applicant_id').execute();
	await db.schema.createIndex('case_sponsor_idx').on('case').column('sponsor_kvk').where(sql.ref('sponsor_kvk'), 'is not', null).execute();

	await db.schema
		.createTable('case_event')
		.addColumn('id', 'uuid', (c) => c.primaryKey())
		.addColumn('case_id', 'integer', (c) => c.notNull().references('case.id'))
		.addColumn('type', 'text', (c) => c.notNull())
		.addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
		.addColumn('data', 'jsonb', (c) => c.notNull())
		.addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('case_event_case_idx').on('case_event').columns(['case_id', 'occurred_at']).execute();
	await db.schema.createIndex('case_event_received_idx').on('case_event').column('received_at').execute();

	// The history is append-only: the database refuses to rewrite it.
	await sql`
		create function forbid_change() returns trigger language plpgsql as $$
		begin
			raise exception '% is append-only', tg_table_name using errcode = 'P0001';
		end $$`.execute(db);
	await sql`create trigger case_event_append_only before update or delete on case_event
		for each row execute function forbid_change()`.execute(db);

	await db.schema
		.createTable('queue_entry')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('case_id', 'integer', (c) => c.notNull().references('case.id'))
		.addColumn('product_code', 'text', (c) => c.notNull())
		.addColumn('stage_code', 'text', (c) => c.notNull())
		.addColumn('stream', sql`queue_stream`, (c) => c.notNull().defaultTo('normal'))
		.addColumn('entered_at', 'timestamptz', (c) => c.notNull())
		.addColumn('left_at', 'timestamptz')
		.addForeignKeyConstraint('queue_entry_stage_fk', ['product_code', 'stage_code'], 'stage', ['product_code', 'code'])
		.addCheckConstraint('queue_entry_leaves_after_entry', sql`left_at is null or left_at >= entered_at`)
		.execute();
	// A case waits in at most one queue at a time.
	await sql`create unique index queue_entry_one_open_per_case on queue_entry (case_id) where left_at is null`.execute(db);
	await sql`create index queue_entry_waiting_idx on queue_entry (product_code, stage_code, stream, entered_at, id) where left_at is null`.execute(db);
	await sql`create index queue_entry_left_idx on queue_entry (product_code, stage_code, left_at) include (entered_at) where left_at is not null`.execute(db);

	await db.schema
		.createTable('api_key')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('label', 'text', (c) => c.notNull())
		.addColumn('prefix', 'text', (c) => c.notNull())
		.addColumn('secret_hash', 'text', (c) => c.notNull().unique())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('last_used_at', 'timestamptz')
		.addColumn('revoked_at', 'timestamptz')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of ['api_key', 'queue_entry', 'case_event', 'case', 'applicant', 'stage', 'product']) {
		await db.schema.dropTable(table).execute();
	}
	await sql`drop function forbid_change()`.execute(db);
	for (const type of ['queue_stream', 'case_status', 'term_unit', 'stage_kind']) {
		await sql`drop type ${sql.raw(type)}`.execute(db);
	}
}
