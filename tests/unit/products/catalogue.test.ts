import { expect, it } from 'vitest';
import { CATALOGUE } from '$lib/server/products/catalogue';
import { getProducts, listProducts, queueStagesOf } from '$lib/server/products/products.service';
import { describeEachEngine } from '../helpers/engines';

describeEachEngine('the product catalogue', ({ db }) => {
	it('is what migration 2 wrote to the database: products, terms, order and stages', async () => {
		const products = await listProducts(db());
		expect(products.map((p) => p.code)).toEqual(CATALOGUE.map((p) => p.code));
		for (const [i, p] of products.entries()) {
			const entry = CATALOGUE[i];
			expect(p.sort_order).toBe(i + 1);
			expect({ value: p.term_value, unit: p.term_unit }).toEqual(entry.term);
			expect(
				p.extension_value ? { value: p.extension_value, unit: p.extension_unit } : null
			).toEqual(entry.extension);
			expect(p.target_days).toBe(entry.targetDays);
			expect(p.stages.map((s) => [s.position, s.code, s.kind, s.fixed_days, s.optional])).toEqual(
				entry.stages.map((s, j) => [j + 1, s.code, s.kind, s.fixedDays, s.optional])
			);
		}
	});

	it('lists the queue stages in the order of products and their stages', async () => {
		const queues = queueStagesOf(await getProducts(db())).map((s) => `${s.product_code}/${s.code}`);
		expect(queues).toEqual(
			CATALOGUE.flatMap((p) =>
				p.stages.filter((s) => s.kind === 'queue').map((s) => `${p.code}/${s.code}`)
			)
		);
		expect(queues.slice(0, 3)).toEqual([
			'asiel/registration_interview_queue',
			'asiel/detailed_interview_queue',
			'asiel/assessment'
		]);
	});
});
