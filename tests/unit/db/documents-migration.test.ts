import { sql } from 'kysely';
import { expect, it } from 'vitest';
import * as migration from '../../../migrations/2026_12_03_000700_add_documents_requested';
import { describeEachEngine } from '../helpers/engines';

describeEachEngine('the migration that adds the documents stage', ({ db }) => {
	it('runs on a database whose stage kinds were committed long before, and back', async () => {
		// Text columns only: a statement the pool prepared before returns the same types after.
		const stagesOf = async () => {
			const { rows } = await sql<{ product: string; stages: string[] }>`
				select product_code as product,
					array_agg(position || ':' || code || ':' || kind::text order by position) as stages
				from stage group by product_code order by product_code`.execute(db());
			return rows.map((r) => [r.product, r.stages] as const);
		};
		const now = await stagesOf();
		await db()
			.transaction()
			.execute((trx) => migration.down(trx));
		const before = await stagesOf();
		expect(before.find(([code]) => code === 'studie')![1]).toEqual([
			'1:application:fixed',
			'2:assessment:queue',
			'3:decision:final',
			'4:collect_document:appointment'
		]);
		// A committed enum takes no new value usable in the same transaction: the type is replaced.
		await db()
			.transaction()
			.execute(async (trx) => {
				await migration.up(trx);
				const kinds = await sql<{ kind: string }>`
					select kind::text from stage where code = 'missing_documents'`.execute(trx);
				expect(kinds.rows.map((r) => r.kind)).toEqual(Array(4).fill('documents'));
			});
		expect(await stagesOf()).toEqual(now);
	});
});
