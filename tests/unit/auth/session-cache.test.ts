import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { createDatabase, type Db } from '$lib/server/db';
import { migrateToLatest } from '$lib/server/db/migrate';
import {
	createSession,
	generateToken,
	idOfToken,
	validateSessionToken
} from '$lib/server/auth/session';
import { findSessionWithUser } from '$lib/server/auth/session.repository';
import {
	ListeningSessionCache,
	SESSION_CACHE_APPLICATION,
	SESSION_END_WITHIN_MS
} from '$lib/server/auth/session.cache';
import { TcpProxy } from '../../e2e/support/tcp-proxy';

// The cache listens to PostgreSQL's notifications; on PGlite (one process) it is not used.
const url = process.env.TEST_DATABASE_URL;

type Row = NonNullable<Awaited<ReturnType<typeof findSessionWithUser>>>;

async function until(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<number> {
	const began = performance.now();
	while (!(await condition())) {
		if (performance.now() - began > ms) throw new Error(`not within ${ms} ms`);
		await new Promise((r) => setTimeout(r, 10));
	}
	return performance.now() - began;
}

describe.skipIf(!url)('the session cache [postgres]', () => {
	let db: Db;
	let other: pg.Client;
	let dbUrl: string;
	let proxy: TcpProxy;
	const name = `t_${randomBytes(6).toString('hex')}`;
	const caches: ListeningSessionCache<Row>[] = [];

	beforeAll(async () => {
		const admin = new pg.Client({ connectionString: url });
		await admin.connect();
		await admin.query(`create database ${name}`);
		await admin.end();
		const target = new URL(url!);
		target.pathname = `/${name}`;
		dbUrl = target.toString();
		db = createDatabase({ url: dbUrl, poolSize: 4 });
		await migrateToLatest(db);
		// "Another app server": its own connection, its own statements.
		other = new pg.Client({ connectionString: dbUrl });
		await other.connect();
		proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
	});

	afterAll(async () => {
		for (const cache of caches) await cache.close();
		await other?.end();
		await proxy?.close();
		await db?.destroy();
		const cleanup = new pg.Client({ connectionString: url });
		await cleanup.connect();
		await cleanup.query(`drop database if exists ${name} with (force)`);
		await cleanup.end();
	});

	async function listeningCache(connectionString = dbUrl) {
		const cache = new ListeningSessionCache<Row>(connectionString);
		caches.push(cache);
		await until(() => cache.listening);
		return cache;
	}

	let seq = 0;
	async function signedIn(kind: 'referent' | 'staff' = 'referent') {
		const user = await db
			.insertInto('app_user')
			.values({
				email: `cache-${++seq}-${randomBytes(3).toString('hex')}@example.test`,
				password_hash: 'not-used',
				display_name: `Cache ${seq}`,
				kind
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const token = generateToken();
		await createSession(db, token, user.id, kind, 'vitest');
		return { userId: user.id, token, id: idOfToken(token) };
	}

	function counting(id: string) {
		const counter = { loads: 0, load: () => (counter.loads++, findSessionWithUser(db, id)) };
		return counter;
	}

	it('answers a session it has checked from memory while it hears PostgreSQL', async () => {
		const cache = await listeningCache();
		const { id } = await signedIn();
		const counter = counting(id);
		for (let i = 0; i < 5; i++) expect((await cache.read(id, counter.load))?.sessionId).toBe(id);
		expect(counter.loads).toBe(1);
	});

	type Signed = { id: string; userId: number };
	const endings: [string, (s: Signed) => [string, unknown[]]][] = [
		['signed out on another server', (s) => ['delete from user_session where id = $1', [s.id]]],
		[
			'of an account an administrator disables',
			(s) => ['update app_user set disabled_at = now() where id = $1', [s.userId]]
		],
		[
			'of an account that is given a staff role needing a second factor',
			(s) => ["insert into user_role (user_id, role) values ($1, 'admin')", [s.userId]]
		]
	];
	for (const [what, end] of endings)
		it(`refuses a session ${what} within a second, on every server`, async () => {
			const cache = await listeningCache();
			const session = await signedIn();
			expect(await validateSessionToken(db, session.token, new Date(), cache)).not.toBeNull();
			const [statement, values] = end(session);
			await other.query(statement, values);
			const ms = await until(
				async () => (await validateSessionToken(db, session.token, new Date(), cache)) === null
			);
			expect(ms).toBeLessThan(SESSION_END_WITHIN_MS);
		});

	it('asks the database on every request while the listening connection is down, and caches again once it is back', async () => {
		const cache = await listeningCache();
		const { id } = await signedIn();
		const counter = counting(id);
		await cache.read(id, counter.load);
		await other.query(
			`select pg_terminate_backend(pid) from pg_stat_activity
			 where datname = current_database() and application_name = $1`,
			[SESSION_CACHE_APPLICATION]
		);
		await until(() => !cache.listening);
		await cache.read(id, counter.load);
		await cache.read(id, counter.load);
		expect(counter.loads).toBe(3);
		await until(() => cache.listening);
		await cache.read(id, counter.load);
		await cache.read(id, counter.load);
		expect(counter.loads).toBe(4);
	});

	it('stops trusting memory within a second when the listening connection hangs without a word', async () => {
		const target = new URL(dbUrl);
		target.hostname = '127.0.0.1';
		target.port = String(proxy.port);
		const cache = await listeningCache(target.toString());
		const session = await signedIn();
		await validateSessionToken(db, session.token, new Date(), cache);
		proxy.mode = 'hang';
		try {
			await other.query('delete from user_session where id = $1', [session.id]);
			const ms = await until(
				async () => (await validateSessionToken(db, session.token, new Date(), cache)) === null
			);
			expect(ms).toBeLessThan(SESSION_END_WITHIN_MS);
		} finally {
			proxy.mode = 'pass';
		}
	});

	it('looks again before it ends a staff session as idle that another server saw lately', async () => {
		const cache = await listeningCache();
		const session = await signedIn('staff');
		const t0 = Date.now();
		expect(await validateSessionToken(db, session.token, new Date(t0), cache)).not.toBeNull();
		// Another app server served this officer 15 minutes later (an update, which notifies nobody).
		await other.query('update user_session set last_seen_at = $2 where id = $1', [
			session.id,
			new Date(t0 + 15 * 60_000)
		]);
		const later = await validateSessionToken(db, session.token, new Date(t0 + 25 * 60_000), cache);
		expect(later?.sessionId).toBe(session.id);
	});
});
