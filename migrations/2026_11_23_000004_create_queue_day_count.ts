import { sql, type Kysely } from 'kysely';

/**
 * How many cases wait per queue, stream and day of entry, kept by the database itself in the
 * same transaction as every change to queue_entry. A position is then the sum of the earlier
 * days' counts plus a count within one day: a few thousand rows at most instead of a million.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('queue_day_count')
		.addColumn('product_code', 'text', (c) => c.notNull())
		.addColumn('stage_code', 'text', (c) => c.notNull())
		.addColumn('stream', sql`queue_stream`, (c) => c.notNull())
		.addColumn('day', 'date', (c) => c.notNull())
		.addColumn('waiting', 'integer', (c) => c.notNull().check(sql`waiting >= 0`))
		.addPrimaryKeyConstraint('queue_day_count_pk', ['product_code', 'stage_code', 'stream', 'day'])
		.execute();

	// Buckets are locked in key order, so that concurrent transactions cannot deadlock. A decrease
	// of a bucket that does not exist is an error, never a silent drift.
	await sql`
		create function queue_day_delta_rows(delta jsonb)
		returns table (product_code text, stage_code text, stream queue_stream, day date, n integer) language sql immutable as $$
			select d.product_code, d.stage_code, d.stream, d.day, sum(d.n)::integer
			from jsonb_to_recordset(delta) as d(product_code text, stage_code text, stream queue_stream, day date, n integer)
			group by 1, 2, 3, 4 having sum(d.n) <> 0
		$$`.execute(db);

	await sql`
		create function apply_queue_day_delta(delta jsonb) returns void language plpgsql as $$
		declare
			decreases integer;
			decreased integer;
		begin
			perform 1 from queue_day_count c join queue_day_delta_rows(delta) d using (product_code, stage_code, stream, day)
			order by c.product_code, c.stage_code, c.stream, c.day for update of c;

			insert into queue_day_count (product_code, stage_code, stream, day, waiting)
			select d.product_code, d.stage_code, d.stream, d.day, d.n from queue_day_delta_rows(delta) d where d.n > 0
			order by 1, 2, 3, 4
			on conflict (product_code, stage_code, stream, day) do update set waiting = queue_day_count.waiting + excluded.waiting;

			select count(*) into decreases from queue_day_delta_rows(delta) d where d.n < 0;
			update queue_day_count c set waiting = c.waiting + d.n
			from queue_day_delta_rows(delta) d
			where d.n < 0 and (c.product_code, c.stage_code, c.stream, c.day) = (d.product_code, d.stage_code, d.stream, d.day);
			get diagnostics decreased = row_count;
			if decreased <> decreases then
				raise exception 'queue_day_count is out of step with queue_entry' using errcode = 'P0002';
			end if;
		end $$`.execute(db);

	// One function for all three triggers: rows that stop waiting count -1, rows that start +1.
	// Each branch only reads the transition tables its operation has.
	await sql`
		create function queue_day_count_on_change() returns trigger language plpgsql as $$
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

	await sql`create trigger queue_day_count_insert after insert on queue_entry
		referencing new table as new_rows for each statement execute function queue_day_count_on_change()`.execute(db);
	await sql`create trigger queue_day_count_update after update on queue_entry
		referencing old table as old_rows new table as new_rows for each statement execute function queue_day_count_on_change()`.execute(db);
	await sql`create trigger queue_day_count_delete after delete on queue_entry
		referencing old table as old_rows for each statement execute function queue_day_count_on_change()`.execute(db);

	// Queue entries that existed before this migration.
	await sql`
		insert into queue_day_count (product_code, stage_code, stream, day, waiting)
		select product_code, stage_code, stream, (entered_at at time zone 'UTC')::date, count(*)
		from queue_entry where left_at is null group by 1, 2, 3, 4`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const trigger of ['queue_day_count_insert', 'queue_day_count_update', 'queue_day_count_delete']) {
		await sql`drop trigger ${sql.raw(trigger)} on queue_entry`.execute(db);
	}
	for (const fn of ['queue_day_count_on_change()', 'apply_queue_day_delta(jsonb)', 'queue_day_delta_rows(jsonb)']) {
		await sql`drop function ${sql.raw(fn)}`.execute(db);
	}
	await db.schema.dropTable('queue_day_count').execute();
}
