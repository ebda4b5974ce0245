import { sql, type Kysely } from 'kysely';

/**
 * Two landed migrations were edited after some databases had run them, and Kysely never runs a
 * migration twice, so those databases kept the first versions:
 * - 2026_11_23_000001 later built `queue_entry_left_idx` with `include (entered_at)`, which lets
 *   the throughput and history queries read the exits from the index alone;
 * - 2026_11_23_000004 later replaced the three trigger functions of `queue_day_count` by one,
 *   `queue_day_count_on_change()`.
 * This brings an older database to what the edited files create, and changes nothing on a newer
 * one. From here on a landed migration is never edited: a repair comes as a new migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
	const index = await sql<{ def: string }>`
		select pg_get_indexdef('queue_entry_left_idx'::regclass) as def`.execute(db);
	if (!/include/i.test(index.rows[0].def)) {
		await sql`drop index queue_entry_left_idx`.execute(db);
		await sql`create index queue_entry_left_idx on queue_entry (product_code, stage_code, left_at) include (entered_at) where left_at is not null`.execute(db);
	}

	// The body is the edited migration's, word for word.
	await sql`
		create or replace function queue_day_count_on_change() returns trigger language plpgsql as $$
		declare
			delta jsonb := '[]';
		begin
			if tg_op in ('UPDATE', 'DELETE') then
				delta := delta || coalesce((
					select jsonb_agg(jsonb_build_object('product_code', product_code, 'stage_code', stage_code, 'stream', stream,
						'day', (entered_at at time zone 'UTC')::date, 'n', -1))
					from old_rows where left_at is null), '[]');
			end if;
			if tg_op in ('INSERT', 'UPDATE') then
				delta := delta || coalesce((
					select jsonb_agg(jsonb_build_object('product_code', product_code, 'stage_code', stage_code, 'stream', stream,
						'day', (entered_at at time zone 'UTC')::date, 'n', 1))
					from new_rows where left_at is null), '[]');
			end if;
			perform apply_queue_day_delta(delta);
			return null;
		end $$`.execute(db);

	const old = await sql<{ n: number }>`
		select count(*)::int as n from pg_proc
		where proname in ('queue_day_count_on_insert', 'queue_day_count_on_update', 'queue_day_count_on_delete')`.execute(db);
	if (old.rows[0].n > 0) {
		// Replaced in one transaction (Kysely runs each migration in one), so no statement runs between.
		await sql`drop trigger queue_day_count_insert on queue_entry`.execute(db);
		await sql`drop trigger queue_day_count_update on queue_entry`.execute(db);
		await sql`drop trigger queue_day_count_delete on queue_entry`.execute(db);
		await sql`create trigger queue_day_count_insert after insert on queue_entry
			referencing new table as new_rows for each statement execute function queue_day_count_on_change()`.execute(db);
		await sql`create trigger queue_day_count_update after update on queue_entry
			referencing old table as old_rows new table as new_rows for each statement execute function queue_day_count_on_change()`.execute(db);
		await sql`create trigger queue_day_count_delete after delete on queue_entry
			referencing old table as old_rows for each statement execute function queue_day_count_on_change()`.execute(db);
		await sql`drop function if exists queue_day_count_on_insert()`.execute(db);
		await sql`drop function if exists queue_day_count_on_update()`.execute(db);
		await sql`drop function if exists queue_day_count_on_delete()`.execute(db);
	}
}

/** Nothing to undo: the state it makes is the one the edited migrations make. */
export async function down(): Promise<void> {}
