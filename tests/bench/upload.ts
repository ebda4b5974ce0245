/**
 * How long the embedded database takes to store and read back one 9 MB upload (random bytes, as
 * a PDF or photo is: incompressible): the portal's PGlite, which converts bytea with Node's hex
 * codec, against PGlite with its own conversion as the baseline, in the same run. Median of
 * BENCH_RUNS (default 3) of each. Ends with `RESULT {json}`.
 */
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { createDatabase } from '../../src/lib/server/db';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BYTES = 9 * 1024 * 1024;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(work: () => Promise<unknown>): Promise<number> {
	const began = performance.now();
	await work();
	return performance.now() - began;
}

export default async function main() {
	const bytes = new Uint8Array(randomBytes(BYTES));
	const ours = createDatabase({ pgliteDir: 'memory' });
	const baseline = await PGlite.create();
	await sql`create table probe (id serial primary key, content bytea not null)`.execute(ours);
	await baseline.exec('create table probe (id serial primary key, content bytea not null)');

	const figures = {
		store: [] as number[],
		read: [] as number[],
		baseStore: [] as number[],
		baseRead: [] as number[]
	};
	for (let run = 0; run < RUNS; run++) {
		figures.store.push(
			await timed(() => sql`insert into probe (content) values (${bytes})`.execute(ours))
		);
		figures.read.push(
			await timed(() => sql`select content from probe order by id desc limit 1`.execute(ours))
		);
		figures.baseStore.push(
			await timed(() => baseline.query('insert into probe (content) values ($1)', [bytes]))
		);
		figures.baseRead.push(
			await timed(() => baseline.query('select content from probe order by id desc limit 1'))
		);
	}
	await ours.destroy();
	await baseline.close();

	const result = {
		megabytes: BYTES / 1024 / 1024,
		runs: RUNS,
		storeMs: Math.round(median(figures.store)),
		readMs: Math.round(median(figures.read)),
		baselineStoreMs: Math.round(median(figures.baseStore)),
		baselineReadMs: Math.round(median(figures.baseRead)),
		storeSpeedup: Number((median(figures.baseStore) / median(figures.store)).toFixed(1)),
		readSpeedup: Number((median(figures.baseRead) / median(figures.read)).toFixed(1))
	};
	console.log(
		`store ${result.storeMs} ms (PGlite's own conversion ${result.baselineStoreMs} ms), ` +
			`read ${result.readMs} ms (${result.baselineReadMs} ms), one ${result.megabytes} MB file`
	);
	console.log(`RESULT ${JSON.stringify(result)}`);
}
