import { sql, type Kysely } from 'kysely';

/**
 * The hearing planner (Online Afspraken Planner). The database holds the invariants, not a check
 * made beforehand: a slot never holds more bookings than rooms (`slot_taken_within_rooms`), an
 * interpreter is never booked twice at the same time (one `interpreter_booking` row per quarter
 * hour, keyed by interpreter and quarter, so no btree_gist is needed), and an invitation has at
 * most one active appointment.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`create type invitation_status as enum ('open', 'booked', 'expired', 'cancelled')`.execute(db);
	await sql`create type appointment_status as enum ('active', 'cancelled', 'attended', 'no_show')`.execute(db);
	await sql`create type waitlist_status as enum ('active', 'left', 'served')`.execute(db);
	await sql`create type offer_status as enum ('held', 'accepted', 'expired', 'declined')`.execute(db);
	await sql`create type case_change_kind as enum ('booked', 'moved', 'cancelled', 'attended', 'no_show')`.execute(db);

	await db.schema
		.createTable('hearing_location')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('code', 'text', (c) => c.notNull().unique().check(sql`code ~ '^[A-Z0-9]{2,8}$'`))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('address', 'text', (c) => c.notNull())
		.addColumn('accessibility', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('directions', 'text', (c) => c.notNull().defaultTo(''))
		.execute();

	await db.schema
		.createTable('hearing_kind')
		.addColumn('code', 'text', (c) => c.primaryKey())
		// Slots start and end on quarter hours: the interpreter bookings are kept per quarter.
		.addColumn('duration_minutes', 'integer', (c) => c.notNull().check(sql`duration_minutes > 0 and duration_minutes % 15 = 0`))
		.addColumn('asylum', 'boolean', (c) => c.notNull())
		.execute();
	await db
		.insertInto('hearing_kind')
		.values([
			{ code: 'registration_interview', duration_minutes: 60, asylum: true },
			{ code: 'detailed_interview', duration_minutes: 240, asylum: true },
			{ code: 'nareis_interview', duration_minutes: 120, asylum: true },
			{ code: 'document_collection', duration_minutes: 15, asylum: false },
			{ code: 'biometrics', duration_minutes: 15, asylum: false }
		])
		.execute();

	await db.schema
		.createTable('slot_template')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('location_id', 'integer', (c) => c.notNull().references('hearing_location.id'))
		.addColumn('kind', 'text', (c) => c.notNull().references('hearing_kind.code'))
		.addColumn('weekday', 'integer', (c) => c.notNull().check(sql`weekday between 1 and 7`))
		// Amsterdam wall-clock time on a quarter hour, e.g. '09:15'.
		.addColumn('start_time', 'text', (c) => c.notNull().check(sql`start_time ~ '^([01][0-9]|2[0-3]):(00|15|30|45)$'`))
		.addColumn('rooms', 'integer', (c) => c.notNull().check(sql`rooms > 0`))
		.addUniqueConstraint('slot_template_unique', ['location_id', 'kind', 'weekday', 'start_time'])
		.execute();

	await db.schema
		.createTable('slot')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('location_id', 'integer', (c) => c.notNull().references('hearing_location.id'))
		.addColumn('kind', 'text', (c) => c.notNull().references('hearing_kind.code'))
		.addColumn('starts_at', 'timestamptz', (c) => c.notNull())
		.addColumn('ends_at', 'timestamptz', (c) => c.notNull())
		.addColumn('rooms', 'integer', (c) => c.notNull().check(sql`rooms > 0`))
		.addColumn('taken', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('closed_at', 'timestamptz')
		.addColumn('closed_reason', 'text')
		.addUniqueConstraint('slot_unique', ['location_id', 'kind', 'starts_at'])
		.addCheckConstraint('slot_taken_within_rooms', sql`taken >= 0 and taken <= rooms`)
		.addCheckConstraint('slot_on_quarters', sql`extract(epoch from starts_at)::bigint % 900 = 0 and extract(epoch from ends_at)::bigint % 900 = 0`)
		.addCheckConstraint('slot_ends_after_start', sql`ends_at > starts_at`)
		.addCheckConstraint('slot_closed_with_reason', sql`(closed_at is null) = (closed_reason is null)`)
		.execute();
	await db.schema.createIndex('slot_search_idx').on('slot').columns(['location_id', 'kind', 'starts_at']).execute();

	await db.schema
		.createTable('interpreter')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('location_id', 'integer', (c) => c.notNull().references('hearing_location.id'))
		.addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('language', 'text', (c) => c.notNull().check(sql`language ~ '^[a-z]{2,3}$'`))
		.addColumn('gender', 'text', (c) => c.check(sql`gender in ('female', 'male', 'other')`))
		.execute();
	await db.schema.createIndex('interpreter_pool_idx').on('interpreter').columns(['location_id', 'language']).execute();

	await db.schema
		.createTable('interpreter_shift')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('interpreter_id', 'integer', (c) => c.notNull().references('interpreter.id'))
		.addColumn('starts_at', 'timestamptz', (c) => c.notNull())
		.addColumn('ends_at', 'timestamptz', (c) => c.notNull())
		.addCheckConstraint('interpreter_shift_order', sql`ends_at > starts_at`)
		.execute();
	await db.schema.createIndex('interpreter_shift_idx').on('interpreter_shift').columns(['interpreter_id', 'starts_at']).execute();

	await db.schema
		.createTable('hearing_invitation')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('case_id', 'integer', (c) => c.notNull().references('case.id'))
		.addColumn('kind', 'text', (c) => c.notNull().references('hearing_kind.code'))
		.addColumn('book_before', 'date', (c) => c.notNull())
		.addColumn('locations', sql`text[]`, (c) => c.notNull().check(sql`cardinality(locations) > 0`))
		.addColumn('interpreter_language', 'text', (c) => c.check(sql`interpreter_language ~ '^[a-z]{2,3}$'`))
		.addColumn('interpreter_in_person', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('same_gender_requested', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('applicant_gender', 'text', (c) => c.check(sql`applicant_gender in ('female', 'male', 'other')`))
		.addColumn('priority', 'boolean', (c) => c.notNull().defaultTo(false))
		// The position of the case's stage when invited: entering a later stage ends the invitation.
		.addColumn('stage_position', 'integer')
		.addColumn('status', sql`invitation_status`, (c) => c.notNull().defaultTo('open'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('source_event_id', 'uuid')
		// The invitation a rebooking invitation replaces (its slot was closed).
		.addColumn('replaces_id', 'integer', (c) => c.references('hearing_invitation.id'))
		.execute();
	await db.schema.createIndex('hearing_invitation_case_idx').on('hearing_invitation').column('case_id').execute();
	await sql`create index hearing_invitation_open_idx on hearing_invitation (book_before) where status = 'open'`.execute(db);

	await db.schema
		.createTable('appointment')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('reference', 'text', (c) => c.notNull().unique().check(sql`reference ~ '^OAP-[0-9A-Z]{4}-[0-9A-Z]{4}$'`))
		.addColumn('invitation_id', 'integer', (c) => c.notNull().references('hearing_invitation.id'))
		.addColumn('case_id', 'integer', (c) => c.notNull().references('case.id'))
		.addColumn('slot_id', 'integer', (c) => c.notNull().references('slot.id'))
		.addColumn('interpreter_id', 'integer', (c) => c.references('interpreter.id'))
		.addColumn('status', sql`appointment_status`, (c) => c.notNull().defaultTo('active'))
		.addColumn('idempotency_key', 'uuid', (c) => c.notNull().unique())
		.addColumn('booked_by', 'integer', (c) => c.references('app_user.id'))
		.addColumn('on_behalf_of', 'integer', (c) => c.references('app_user.id'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('cancelled_at', 'timestamptz')
		.addColumn('cancel_reason', 'text')
		.addColumn('replaced_by', 'integer', (c) => c.references('appointment.id'))
		.addColumn('attendance_at', 'timestamptz')
		.addCheckConstraint('appointment_cancelled_at', sql`(status = 'cancelled') = (cancelled_at is not null)`)
		.execute();
	await sql`create unique index appointment_one_active_per_invitation on appointment (invitation_id) where status = 'active'`.execute(db);
	await db.schema.createIndex('appointment_slot_idx').on('appointment').column('slot_id').execute();
	await db.schema.createIndex('appointment_case_idx').on('appointment').column('case_id').execute();

	await db.schema
		.createTable('interpreter_booking')
		.addColumn('interpreter_id', 'integer', (c) => c.notNull().references('interpreter.id'))
		.addColumn('quarter', 'timestamptz', (c) => c.notNull().check(sql`extract(epoch from quarter)::bigint % 900 = 0`))
		.addColumn('appointment_id', 'integer', (c) => c.notNull().references('appointment.id'))
		.addPrimaryKeyConstraint('interpreter_booking_pk', ['interpreter_id', 'quarter'])
		.execute();
	await db.schema.createIndex('interpreter_booking_appointment_idx').on('interpreter_booking').column('appointment_id').execute();

	await db.schema
		.createTable('waitlist_entry')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('invitation_id', 'integer', (c) => c.notNull().references('hearing_invitation.id'))
		.addColumn('joined_at', 'timestamptz', (c) => c.notNull())
		.addColumn('status', sql`waitlist_status`, (c) => c.notNull().defaultTo('active'))
		.execute();
	await sql`create unique index waitlist_entry_one_active on waitlist_entry (invitation_id) where status = 'active'`.execute(db);
	await sql`create index waitlist_entry_fifo_idx on waitlist_entry (joined_at, id) where status = 'active'`.execute(db);

	await db.schema
		.createTable('waitlist_offer')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('entry_id', 'integer', (c) => c.notNull().references('waitlist_entry.id'))
		.addColumn('slot_id', 'integer', (c) => c.notNull().references('slot.id'))
		.addColumn('offered_at', 'timestamptz', (c) => c.notNull())
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('status', sql`offer_status`, (c) => c.notNull().defaultTo('held'))
		.addUniqueConstraint('waitlist_offer_once_per_slot', ['entry_id', 'slot_id'])
		.execute();
	await sql`create unique index waitlist_offer_one_held on waitlist_offer (entry_id) where status = 'held'`.execute(db);
	await sql`create index waitlist_offer_held_idx on waitlist_offer (expires_at) where status = 'held'`.execute(db);

	// The feed of the case system: every change the portal makes that the case system must learn,
	// the planner's first; later capabilities add kinds (ALTER TYPE … ADD VALUE). Writers insert under one transaction-level advisory lock, held
	// to commit, so ids become visible in order and a reader reading `id > cursor` skips nothing.
	await db.schema
		.createTable('case_change')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('kind', sql`case_change_kind`, (c) => c.notNull())
		.addColumn('appointment_id', 'integer', (c) => c.references('appointment.id'))
		.addColumn('case_reference', 'text', (c) => c.notNull())
		.addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
		.execute();
	// The case system reads the feed with an API key of scope changes:read.
	await sql`alter table api_key drop constraint api_key_scopes_known`.execute(db);
	await sql`alter table api_key add constraint api_key_scopes_known check (scopes <@ array['events:write', 'letters:issue', 'changes:read']::text[])`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`update api_key set scopes = array_remove(scopes, 'changes:read')`.execute(db);
	await sql`alter table api_key drop constraint api_key_scopes_known`.execute(db);
	await sql`alter table api_key add constraint api_key_scopes_known check (scopes <@ array['events:write', 'letters:issue']::text[])`.execute(db);
	for (const table of [
		'case_change',
		'waitlist_offer',
		'waitlist_entry',
		'interpreter_booking',
		'appointment',
		'hearing_invitation',
		'interpreter_shift',
		'interpreter',
		'slot',
		'slot_template',
		'hearing_kind',
		'hearing_location'
	])
		await db.schema.dropTable(table).execute();
	for (const type of ['case_change_kind', 'offer_status', 'waitlist_status', 'appointment_status', 'invitation_status'])
		await sql`drop type ${sql.raw(type)}`.execute(db);
}
