/**
 * Position lookups with 1,000,000 cases waiting in one queue: the position engine (per-month,
 * per-day and per-hour counts + a count within one hour) against the naive count(*) over the
 * FIFO index, in the same run on the same database. PostgreSQL at BENCH_DATABASE_URL / TEST_DATABASE_URL; PGlite otherwise.
 * Target: p99 ≤ 2 ms per lookup.
 */
import { sql } from 'kysely';
import { createDatabase, type Db } from '../../src/lib/server/db';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import { findPositionOfEntry } from '../../src/lib/server/queue/queue.repository';
import { countAhead } from '../unit/helpers/queue-order';
import { benchDatabaseUrl, fillOneQueue, freshPostgres } from './support/databases';

const WAITING = Number(process.env.BENCH_WAITING ?? 1_000_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 2000);
const NAIVE_LOOKUPS = Number(process.env.BENCH_NAIVE_LOOKUPS ?? 100);

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summarise(times: number[]) {
	const sorted = [...times].sort((a, b) => a - b);
	return {
		lookups: times.length,
		p50Ms: Number(percentile(sorted, 50).toFixed(3)),
		p99Ms: Number(percentile(sorted, 99).toFixed(3)),
		maxMs: Number(sorted.at(-1)!.toFixed(3))
	};
}

async function sampleEntries(db: Db, n: number) {
	const result = await sql<{
		id: number;
		product_code: string;
		stage_code: string;
		stream: 'normal' | 'priority';
		entered_at: Date;
	}>`
		select id, product_code, stage_code, stream, entered_at from queue_entry
		where left_at is null and product_code = 'asiel' and stage_code = 'assessment'
		order by random() limit ${n}`.execute(db);
	return result.rows;
}

export default async function run(): Promise<void> {
	const url = benchDatabaseUrl();
	console.log(
		`Position bench: ${WAITING.toLocaleString('en')} waiting in one queue on ${url ? 'PostgreSQL' : 'PGlite (set BENCH_DATABASE_URL for PostgreSQL)'}`
	);
	const handle = url
		? await freshPostgres(url, 'bench_position')
		: await (async () => {
				const db = createDatabase({ pgliteDir: 'memory' });
				await migrateToLatest(db);
				return { db, drop: () => db.destroy() };
			})();
	const { db } = handle;
	try {
		const began = performance.now();
		await fillOneQueue(db, { waiting: WAITING, left: Math.round(WAITING / 10), now: new Date() });
		console.log(`Data written in ${((performance.now() - began) / 1000).toFixed(1)} s`);

		const entries = await sampleEntries(db, LOOKUPS);
		// Warm both paths once, as a running server would be.
		for (const e of entries.slice(0, 20)) await findPositionOfEntry(db, e.id);
		await countAhead(db, entries[0]);

		const ours: number[] = [];
		for (const e of entries) {
			const t = performance.now();
			await findPositionOfEntry(db, e.id);
			ours.push(performance.now() - t);
		}
		const naive: number[] = [];
		let mismatches = 0;
		for (const e of entries.slice(0, NAIVE_LOOKUPS)) {
			const t = performance.now();
			const ahead = await countAhead(db, e);
			naive.push(performance.now() - t);
			if ((await findPositionOfEntry(db, e.id))?.ahead !== ahead) mismatches += 1;
		}
		const oursFigures = summarise(ours);
		const naiveFigures = summarise(naive);
		const waitingNow = (await findPositionOfEntry(db, entries[0].id))!.waiting;
		console.log(`waiting in the queue: ${waitingNow.toLocaleString('en')}`);
		console.log(
			`ours : p50 ${oursFigures.p50Ms} ms, p99 ${oursFigures.p99Ms} ms over ${oursFigures.lookups} lookups`
		);
		console.log(
			`naive: p50 ${naiveFigures.p50Ms} ms, p99 ${naiveFigures.p99Ms} ms over ${naiveFigures.lookups} lookups`
		);
		console.log(
			`speed-up: p50 ×${(naiveFigures.p50Ms / oursFigures.p50Ms).toFixed(0)}, p99 ×${(naiveFigures.p99Ms / oursFigures.p99Ms).toFixed(0)}; answers differing from the naive count: ${mismatches}`
		);
		console.log(
			`RESULT ${JSON.stringify({
				engine: url ? 'postgres' : 'pglite',
				waiting: waitingNow,
				ours: oursFigures,
				naive: naiveFigures,
				speedupP50: Number((naiveFigures.p50Ms / oursFigures.p50Ms).toFixed(1)),
				speedupP99: Number((naiveFigures.p99Ms / oursFigures.p99Ms).toFixed(1)),
				mismatches
			})}`
		);
	} finally {
		await handle.drop();
	}
}
