import { createQueryId, type Compilable, type CompiledQuery } from 'kysely';
import type { Db } from './index';

/** Stands in for an argument while the query is built once; its value is bound on each call. */
class Argument {
	constructor(readonly key: string) {}
}

type Shape = CompiledQuery<unknown>;

/**
 * A query built and compiled by Kysely once per shape, then run with each call's values. Under the
 * booking bench, building and compiling the session lookup and the booking read took 15% of the
 * app servers' CPU, more than sending them; both run on nearly every request.
 *
 * `build` may use each argument only as a value Kysely sends as a parameter, and may branch only
 * on whether an argument is undefined: that choice is part of the shape. An argument that ends up
 * anywhere else (a column name, a literal, a count) throws on the first call.
 */
export function compiledOnce<A extends object, O>(
	build: (db: Db, args: A) => Compilable<O>
): (db: Db, args: A) => Promise<O[]> {
	const shapes = new Map<string, Shape>();
	return async (db, args) => {
		const given = Object.entries(args)
			.filter(([, value]) => value !== undefined)
			.map(([key]) => key)
			.sort();
		const key = given.join(',');
		let shape = shapes.get(key);
		if (!shape) {
			shape = build(db, Object.fromEntries(given.map((k) => [k, new Argument(k)])) as A).compile();
			const bound = new Set(
				shape.parameters.flatMap((p) => (p instanceof Argument ? [p.key] : []))
			);
			const unbound = given.filter((k) => !bound.has(k));
			if (unbound.length > 0)
				throw new Error(`compiledOnce: ${unbound.join(', ')} not sent as a parameter`);
			shapes.set(key, shape);
		}
		const values = args as Record<string, unknown>;
		const { rows } = await db.executeQuery<O>({
			...shape,
			parameters: shape.parameters.map((p) => (p instanceof Argument ? values[p.key] : p)),
			queryId: createQueryId()
		} as CompiledQuery<O>);
		return rows;
	};
}
