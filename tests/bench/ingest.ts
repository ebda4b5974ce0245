/**
 * How fast the event service takes a realistic history: simulator events posted through
 * `ingestEvents` in batches of the API's maximum, on a fresh PGlite and, when
 * BENCH_DATABASE_URL or TEST_DATABASE_URL is set, on a fresh database of that PostgreSQL server.
 * Target: 10,000 events in under 30 s on PostgreSQL.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { createDatabase, type Db } from '../../src/lib/server/db';
import { migrateToLatest } from '../../src/lib/server/db/migrate';
import { ingestEvents } from '../../src/lib/server/events/event.service';
import { refusedEvents } from '../../src/lib/server/events/event.errors';
import { MAX_EVENTS_PER_BATCH } from '../../src/lib/server/events/event.validation';
import { simulate, type DemoEvent } from '../../src/lib/server/demo/simulator';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 15_000);
const NOW = new Date('2026-11-23T10:00:00+01:00');
/** Events per unit of scale in the simulator's three-year history (about 50,000 at 0.02). */
const EVENTS_PER_SCALE = 2_400_000;

interface Figures {
	events: number;
	seconds: number;
	eventsPerSecond: number;
	slowestBatchMs: number;
	setupSeconds: number;
}

function history(): DemoEvent[] {
	const scale = (EVENTS / EVENTS_PER_SCALE) * 1.2;
	const { events } = simulate({ scale, now: NOW, seed: 1 });
	if (events.length < EVENTS)
		throw new Error(`the simulator gave ${events.length} events, fewer than ${EVENTS}`);
	// A prefix of a chronological history is itself a valid history.
	return events.slice(0, EVENTS);
}

async function measure(db: Db, events: DemoEvent[], setupSeconds: number): Promise<Figures> {
	let slowest = 0;
	const began = performance.now();
	for (let i = 0; i < events.length; i += MAX_EVENTS_PER_BATCH) {
		const batchStarted = performance.now();
		await ingestEvents(db, { events: events.slice(i, i + MAX_EVENTS_PER_BATCH) }).catch((e) => {
			const refused = refusedEvents(e);
			if (!refused) throw e;
			throw new Error(`batch at event ${i} rejected: ${JSON.stringify(refused.slice(0, 3))}`);
		});
		slowest = Math.max(slowest, performance.now() - batchStarted);
	}
	const seconds = (performance.now() - began) / 1000;
	const stored = await db
		.selectFrom('case_event')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.executeTakeFirstOrThrow();
	if (Number(stored.n) !== events.length)
		throw new Error(`stored ${stored.n} events, expected ${events.length}`);
	return {
		events: events.length,
		seconds: round(seconds, 2),
		eventsPerSecond: Math.round(events.length / seconds),
		slowestBatchMs: Math.round(slowest),
		setupSeconds: round(setupSeconds, 2)
	};
}

function round(value: number, digits: number): number {
	return Number(value.toFixed(digits));
}

async function onPglite(events: DemoEvent[]): Promise<Figures> {
	const began = performance.now();
	const db = createDatabase({ pgliteDir: 'memory' });
	await migrateToLatest(db);
	try {
		return await measure(db, events, (performance.now() - began) / 1000);
	} finally {
		await db.destroy();
	}
}

async function adminQuery(url: string, statement: string): Promise<void> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(statement);
	} finally {
		await client.end();
	}
}

async function onPostgres(url: string, events: DemoEvent[]): Promise<Figures> {
	const name = `bench_${randomBytes(6).toString('hex')}`;
	const began = performance.now();
	await adminQuery(url, `create database ${name}`);
	const target = new URL(url);
	target.pathname = `/${name}`;
	const db = createDatabase({ url: target.toString() });
	try {
		await migrateToLatest(db);
		return await measure(db, events, (performance.now() - began) / 1000);
	} finally {
		await db.destroy();
		await adminQuery(url, `drop database if exists ${name} with (force)`);
	}
}

function report(engine: string, f: Figures): void {
	console.log(
		`${engine.padEnd(10)} ${f.events} events in ${f.seconds.toFixed(2)} s = ${f.eventsPerSecond} events/s ` +
			`(slowest batch ${f.slowestBatchMs} ms; fresh database ready in ${f.setupSeconds.toFixed(2)} s)`
	);
}

export default async function ingestBench(): Promise<void> {
	const events = history();
	console.log(`ingest: ${events.length} simulated events in batches of ${MAX_EVENTS_PER_BATCH}`);
	const pglite = await onPglite(events);
	report('PGlite', pglite);
	const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
	let postgres: Figures | null = null;
	if (url) {
		postgres = await onPostgres(url, events);
		report('PostgreSQL', postgres);
		console.log(
			`target: 10,000 events in under 30 s on PostgreSQL: ${(postgres.seconds / postgres.events) * 10_000 < 30 ? 'met' : 'MISSED'}`
		);
	} else {
		console.log(
			'PostgreSQL: not measured; set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a server this bench may create a database on.'
		);
	}
	console.log(
		`RESULT ${JSON.stringify({ events: events.length, batchSize: MAX_EVENTS_PER_BATCH, pglite, postgres })}`
	);
}
