import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { describeEachEngine } from '../helpers/engines';

describeEachEngine('database connection', ({ db, engine }) => {
	it('returns dates as YYYY-MM-DD and counts as numbers on both engines', async () => {
		const row = await sql<{
			d: string;
			n: number;
		}>`select date '2026-11-23' as d, count(*) as n from generate_series(1, 3)`.execute(db());
		expect(row.rows[0]).toEqual({ d: '2026-11-23', n: 3 });
	});

	it('stores and returns a 9 MB file byte for byte on both engines', async () => {
		const bytes = new Uint8Array(randomBytes(9 * 1024 * 1024));
		// A view into a larger buffer, as a parsed upload can be: only its own bytes are stored.
		const view = new Uint8Array(
			Buffer.concat([Buffer.from([0xff]), bytes]).buffer,
			1,
			bytes.length
		);
		const row = await sql<{ content: Uint8Array; size: number }>`
			select ${view}::bytea as content, octet_length(${view}::bytea) as size`.execute(db());
		expect(row.rows[0].size).toBe(bytes.length);
		expect(Buffer.compare(row.rows[0].content, bytes)).toBe(0);
	});

	it('keeps working when the server ends idle connections (a restart or failover)', async () => {
		if (engine !== 'postgres') return;
		await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(db())));
		await sql`select pg_terminate_backend(pid) from pg_stat_activity
			where datname = current_database() and pid <> pg_backend_pid()`.execute(db());
		await new Promise((resolve) => setTimeout(resolve, 100));
		const after = await Promise.all(
			[1, 2, 3].map(() => sql<{ one: number }>`select 1 as one`.execute(db()))
		);
		expect(after.map((r) => r.rows[0].one)).toEqual([1, 1, 1]);
	});

	it('prepares each statement once per connection, and recovers when a migration changes what one returns', async () => {
		if (engine !== 'postgres') return;
		// One query at a time: the pool hands out the same connection each time.
		await sql`create table prepared_probe (a int)`.execute(db());
		await sql`insert into prepared_probe values (1)`.execute(db());
		const read = () => sql<Record<string, number>>`select * from prepared_probe`.execute(db());
		await read();
		await read();
		const prepared = await sql<{ n: number }>`select count(*) as n from pg_prepared_statements
			where statement = 'select * from prepared_probe'`.execute(db());
		expect(prepared.rows[0].n).toBe(1);

		await sql`alter table prepared_probe add column b int default 2`.execute(db());
		// The statement prepared before fails once on its connection, which is then let go.
		await expect(read()).rejects.toThrow(/cached plan must not change result type/);
		expect((await read()).rows).toEqual([{ a: 1, b: 2 }]);
		expect((await read()).rows).toEqual([{ a: 1, b: 2 }]);
	});
});
