import { expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import { batchedByKey } from '$lib/server/db/batched';
import { describeEachEngine } from '../helpers/engines';

interface Row {
	key: string;
	value: string;
}

/** A real read of a real table, and a record of the keys each statement asked for. */
function valuesByKey() {
	const statements: string[][] = [];
	const read = batchedByKey(
		async (db: Db, keys: readonly string[]) => {
			statements.push([...keys]);
			const { rows } = await sql<Row>`
				select key, value from batched_probe where key = any(${[...keys]})`.execute(db);
			return rows;
		},
		(row) => row.key
	);
	return { read, statements };
}

describeEachEngine('reads that requests running at once share', ({ db }) => {
	it('sends the keys asked for in one round in one statement, and gives each caller its own row', async () => {
		await sql`create table batched_probe (key text primary key, value text not null)`.execute(db());
		await sql`insert into batched_probe values ('a', 'one'), ('b', 'two'), ('c', 'three')`.execute(
			db()
		);
		const { read, statements } = valuesByKey();

		const rows = await Promise.all(['c', 'a', 'missing', 'a'].map((key) => read(db(), key)));
		expect(rows.map((row) => row?.value)).toEqual(['three', 'one', undefined, 'one']);
		expect(statements).toHaveLength(1);
		expect(new Set(statements[0])).toEqual(new Set(['a', 'c', 'missing']));

		// Nothing is kept: a later read sees what the table holds then, in a statement of its own.
		await sql`update batched_probe set value = 'changed' where key = 'a'`.execute(db());
		expect((await read(db(), 'a'))?.value).toBe('changed');
		expect(statements).toHaveLength(2);
	});

	it('fails every caller of a failed statement with its error, and the next round reads again', async () => {
		await sql`create table if not exists batched_probe (key text primary key, value text not null)`.execute(
			db()
		);
		await sql`insert into batched_probe values ('x', 'ten') on conflict do nothing`.execute(db());
		let failNext = true;
		const read = batchedByKey(
			async (db: Db, keys: readonly string[]) => {
				const table = failNext ? sql.table('batched_absent') : sql.table('batched_probe');
				failNext = false;
				const { rows } = await sql<Row>`
					select key, value from ${table} where key = any(${[...keys]})`.execute(db);
				return rows;
			},
			(row) => row.key
		);
		const failed = await Promise.allSettled([read(db(), 'x'), read(db(), 'y')]);
		expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
		expect(String((failed[0] as PromiseRejectedResult).reason)).toMatch(/batched_absent/);
		expect((await read(db(), 'x'))?.value).toBe('ten');
	});
});
