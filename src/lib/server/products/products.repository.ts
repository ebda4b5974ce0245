import type { Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';

/** Every product in its sort order, each with its stages in order. */
export async function findProductsWithStages(db: Db | Transaction<Database>) {
	const [products, stages] = await Promise.all([
		db.selectFrom('product').selectAll().orderBy('sort_order').execute(),
		db.selectFrom('stage').selectAll().orderBy('product_code').orderBy('position').execute()
	]);
	return products.map((p) => ({ ...p, stages: stages.filter((s) => s.product_code === p.code) }));
}
