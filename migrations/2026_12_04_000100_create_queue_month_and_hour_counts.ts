import { sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * How many cases wait per queue and stream, by month and by hour of entry, kept beside the
 * per-day counts by the same trigger in the same transaction. A position then sums the earlier
 * months (36 rows for a queue three years long), the earlier days of its month, the earlier hours
 * of its day, and counts the entries of its own hour. With a million cases waiting it summed
 * 1,096 days and counted some 450 entries of its own day: most of PostgreSQL's work on the case
 * page, and growing with the queue's intake.
 */

/** A coarser or finer bucket than the day: its table, its column, and how a delta row names it. */
interface Bucket {
	table: 'queue_month_count' | 'queue_hour_count';
	column: 'month' | 'hour';
	type: 'date' | 'timestamptz';
	/** From a delta row `d` (its `day` and `hour`). */
	of: string;
}

const MONTH: Bucket = {
	table: 'queue_month_count',
	column: 'month',
	type: 'date',
	of: `date_trunc('month', d.day::timestamp)::date`
};
const HOUR: Bucket = { table: 'queue_hour_count', column: 'hour', type: 'timestamptz', of: 'd.hour' };

/**
 * Applies a delta to one kind of bucket, as apply_queue_day_delta does to days: the buckets are
 * locked in key order, and a decrease of a bucket that does not exist is an error.
 */
function applyFunctions({ table, column, type, of }: Bucket): RawBuilder<unknown>[] {
	const rows = sql.raw(`${table}_delta_rows`);
	const t = sql.raw(table);
	const c = sql.raw(column);
	return [
		sql`
		create function ${rows}(delta jsonb)
		returns table (product_code text, stage_code text, stream queue_stream, ${c} ${sql.raw(type)}, n integer)
		language sql immutable as $$
			select d.product_code, d.stage_code, d.stream, ${sql.raw(of)}, sum(d.n)::integer
			from jsonb_to_recordset(delta) as d(product_code text, stage_code text, stream queue_stream, day date, hour timestamptz, n integer)
			group by 1, 2, 3, 4 having sum(d.n) <> 0
		$$`,
		sql`
		create function ${sql.raw(`apply_${table}_delta`)}(delta jsonb) returns void language plpgsql as $$
		declare
			decreases integer;
			decreased integer;
		begin
			perform 1 from ${t} c join ${rows}(delta) d using (product_code, stage_code, stream, ${c})
			order by c.product_code, c.stage_code, c.stream, c.${c} for update of c;

			insert into ${t} (product_code, stage_code, stream, ${c}, waiting)
			select d.product_code, d.stage_code, d.stream, d.${c}, d.n from ${rows}(delta) d where d.n > 0
			order by 1, 2, 3, 4
			on conflict (product_code, stage_code, stream, ${c}) do update set waiting = ${t}.waiting + excluded.waiting;

			select count(*) into decreases from ${rows}(delta) d where d.n < 0;
			update ${t} c set waiting = c.waiting + d.n
			from ${rows}(delta) d
			where d.n < 0 and (c.product_code, c.stage_code, c.stream, c.${c}) = (d.product_code, d.stage_code, d.stream, d.${c});
			get diagnostics decreased = row_count;
			if decreased <> decreases then
				raise exception '${t} is out of step with queue_entry' using errcode = 'P0002';
			end if;
		end $$`
	];
}

/** The trigger's delta, each row with its hour of entry as well when `withHour`. */
function changeFunction(withHour: boolean): RawBuilder<unknown> {
	const entry = sql.raw(
		`'product_code', product_code, 'stage_code', stage_code, 'stream', stream, 'day', (entered_at at time zone 'UTC')::date` +
			(withHour ? `, 'hour', date_trunc('hour', entered_at, 'UTC')` : '')
	);
	return sql`
		create or replace function queue_day_count_on_change() returns trigger language plpgsql as $$
		declare
			delta jsonb := '[]';
		begin
			if tg_op in ('UPDATE', 'DELETE') then
				delta := delta || coalesce((
					select jsonb_agg(jsonb_build_object(${entry}, 'n', -1))
					from old_rows where left_at is null), '[]');
			end if;
			if tg_op in ('INSERT', 'UPDATE') then
				delta := delta || coalesce((
					select jsonb_agg(jsonb_build_object(${entry}, 'n', 1))
					from new_rows where left_at is null), '[]');
			end if;
			perform apply_queue_day_delta(delta);
			${sql.raw(withHour ? 'perform apply_queue_month_count_delta(delta);\n\t\t\tperform apply_queue_hour_count_delta(delta);' : '')}
			return null;
		end $$`;
}

export async function up(db: Kysely<any>): Promise<void> {
	for (const bucket of [MONTH, HOUR]) {
		const { table, column, type } = bucket;
		await db.schema
			.createTable(table)
			.addColumn('product_code', 'text', (c) => c.notNull())
			.addColumn('stage_code', 'text', (c) => c.notNull())
			.addColumn('stream', sql`queue_stream`, (c) => c.notNull())
			.addColumn(column, type, (c) => c.notNull())
			.addColumn('waiting', 'integer', (c) => c.notNull().check(sql`waiting >= 0`))
			.addPrimaryKeyConstraint(`${table}_pk`, ['product_code', 'stage_code', 'stream', column])
			.execute();
		for (const statement of applyFunctions(bucket)) await statement.execute(db);
	}
	// Days, months, then hours, each in key order: the same order in every transaction.
	await changeFunction(true).execute(db);

	await sql`
		insert into queue_month_count (product_code, stage_code, stream, month, waiting)
		select product_code, stage_code, stream, date_trunc('month', day::timestamp)::date, sum(waiting)
		from queue_day_count group by 1, 2, 3, 4 having sum(waiting) > 0`.execute(db);
	await sql`
		insert into queue_hour_count (product_code, stage_code, stream, hour, waiting)
		select product_code, stage_code, stream, date_trunc('hour', entered_at, 'UTC'), count(*)
		from queue_entry where left_at is null group by 1, 2, 3, 4`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await changeFunction(false).execute(db);
	for (const { table } of [HOUR, MONTH]) {
		await sql`drop function ${sql.raw(`apply_${table}_delta`)}(jsonb)`.execute(db);
		await sql`drop function ${sql.raw(`${table}_delta_rows`)}(jsonb)`.execute(db);
		await db.schema.dropTable(table).execute();
	}
}
