import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { compiledOnce } from '../../../src/lib/server/db/compiled';
import type { Db } from '../../../src/lib/server/db';
import { describeEachEngine } from '../helpers/engines';

describeEachEngine('queries compiled once', ({ db }) => {
	const codes = () =>
		sql<{ code: string }>`(select unnest(array['ZZA', 'ZZB', 'ZZC']) as code)`.as('t');

	it('answers each call with its own values, building each shape once', async () => {
		let builds = 0;
		const find = compiledOnce((d: Db, a: { code: string; not?: string }) => {
			builds += 1;
			return d
				.selectFrom(codes())
				.select('code')
				.where('code', '>=', a.code)
				.where('code', 'like', sql<string>`${'Z'} || '%'`)
				.$if(a.not !== undefined, (q) => q.where('code', '!=', a.not!))
				.orderBy('code');
		});
		expect((await find(db(), { code: 'ZZB' })).map((r) => r.code)).toEqual(['ZZB', 'ZZC']);
		expect((await find(db(), { code: 'ZZA' })).map((r) => r.code)).toEqual(['ZZA', 'ZZB', 'ZZC']);
		expect(builds).toBe(1);
		expect((await find(db(), { code: 'ZZA', not: 'ZZB' })).map((r) => r.code)).toEqual([
			'ZZA',
			'ZZC'
		]);
		expect((await find(db(), { code: 'ZZA', not: undefined })).map((r) => r.code)).toHaveLength(3);
		expect(builds).toBe(2);
	});

	it('refuses a builder that uses an argument as anything but a parameter', async () => {
		const find = compiledOnce((d: Db, a: { column: string }) =>
			d.selectFrom(codes()).select(sql.ref<string>(String(a.column)).as('x'))
		);
		await expect(find(db(), { column: 'code' })).rejects.toThrow(/column not sent as a parameter/);
	});
});
