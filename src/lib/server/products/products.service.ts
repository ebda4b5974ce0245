import type { Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { Product, Stage } from '$lib/server/db/schema';
import { recentlyComputed } from '$lib/server/utils/recent';
import { findProductsWithStages } from './products.repository';

export type ProductWithStages = Product & { stages: Stage[] };

/** The products and their stages as the database holds them now (inside a transaction, if given). */
export function listProducts(db: Db | Transaction<Database>): Promise<ProductWithStages[]> {
	return findProductsWithStages(db);
}

/** The catalogue changes by migration only: pages read it at most once per five minutes. */
export const getProducts = recentlyComputed(5 * 60_000, (db) => listProducts(db));

/** Every queue stage of every product, in the order of products and their stages. */
export function queueStagesOf(products: readonly ProductWithStages[]): Stage[] {
	return products.flatMap((p) => p.stages.filter((s) => s.kind === 'queue'));
}
