import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import {
	createDatabase,
	databaseProblem,
	databaseTimeoutsFromEnv,
	isDatabaseUnavailable,
	type Db,
	type DatabaseTimeouts
} from '$lib/server/db';
import { isConnectionBroken } from '$lib/server/db/unavailable';
import { SMTPServer } from 'smtp-server';
import { migrateToLatest } from '$lib/server/db/migrate';
import { queueEmail } from '$lib/server/notify/email.service';
import { sendEmailNudge, startJobs } from '$lib/server/jobs';
import { TcpProxy } from '../../e2e/support/tcp-proxy';

const fast: DatabaseTimeouts = {
	connectMs: 500,
	statementMs: 600,
	idleInTransactionMs: 1500,
	queryMs: 800
};

/** How long `run` takes to settle, and its error. */
async function timed(run: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
	const began = Date.now();
	try {
		await run();
		return { ms: Date.now() - began, error: null };
	} catch (error) {
		return { ms: Date.now() - began, error };
	}
}

describe('database time limits from the environment', () => {
	it('has defaults that answer within 5 s, and reads each variable', () => {
		const defaults = databaseTimeoutsFromEnv({});
		expect(defaults).toEqual({
			connectMs: 2000,
			statementMs: 3000,
			idleInTransactionMs: 5000,
			queryMs: 4000
		});
		expect(Math.max(defaults.connectMs, defaults.queryMs)).toBeLessThan(4500);
		expect(
			databaseTimeoutsFromEnv({
				DATABASE_CONNECT_TIMEOUT_MS: '1000',
				DATABASE_STATEMENT_TIMEOUT_MS: '1500',
				DATABASE_IDLE_TRANSACTION_TIMEOUT_MS: '0',
				DATABASE_QUERY_TIMEOUT_MS: 'soon'
			})
		).toEqual({ connectMs: 1000, statementMs: 1500, idleInTransactionMs: 0, queryMs: 2500 });
	});
});

describe('recognising an unavailable database', () => {
	it('calls a refused connection unreachable', async () => {
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const port = (closed.address() as { port: number }).port;
		await new Promise((resolve) => closed.close(resolve));
		const db = createDatabase({ url: `postgres://nobody@127.0.0.1:${port}/none`, timeouts: fast });
		const { error } = await timed(() => sql`select 1`.execute(db));
		await db.destroy();
		expect(databaseProblem(error)).toBe('unreachable');
	});

	it('calls a server that accepts but never answers a timeout, within the connect limit', async () => {
		const silent = await TcpProxy.start({ host: '127.0.0.1', port: 1 });
		silent.setMode('hang');
		const db = createDatabase({
			url: `postgres://nobody@127.0.0.1:${silent.port}/none`,
			timeouts: fast
		});
		const { ms, error } = await timed(() => sql`select 1`.execute(db));
		await db.destroy();
		await silent.close();
		expect(databaseProblem(error)).toBe('timeout');
		expect(ms).toBeLessThan(fast.connectMs + 400);
	});

	it('leaves other errors alone: a bug stays a 500', async () => {
		const missing = Object.assign(
			new pg.DatabaseError('relation "no_such_table" does not exist', 0, 'error'),
			{ code: '42P01', severity: 'ERROR' }
		);
		expect(isDatabaseUnavailable(missing)).toBe(false);
		expect(isConnectionBroken(missing)).toBe(false);
		expect(isDatabaseUnavailable(new Error('Cannot read properties of undefined'))).toBe(false);
		expect(isDatabaseUnavailable(new TypeError('x is not a function'))).toBe(false);
		expect(isDatabaseUnavailable(undefined)).toBe(false);
	});

	it('looks inside wrapped and aggregated errors', () => {
		const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), {
			code: 'ECONNREFUSED'
		});
		expect(databaseProblem(new AggregateError([refused], ''))).toBe('unreachable');
		expect(
			databaseProblem(new Error('could not load', { cause: new Error('Query read timeout') }))
		).toBe('timeout');
		expect(
			databaseProblem(
				Object.assign(new Error('sorry, too many clients already'), {
					code: '53300',
					severity: 'FATAL'
				})
			)
		).toBe('overloaded');
		// EPIPE looks like a SQLSTATE but is a network error.
		expect(databaseProblem(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(
			'unreachable'
		);
	});
});

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('the pool when PostgreSQL fails [postgres]', () => {
	let name: string;
	let target: string;
	let proxy: TcpProxy;
	let db: Db;
	let direct: pg.Client;

	beforeAll(async () => {
		name = `t_${randomBytes(6).toString('hex')}`;
		const admin = new pg.Client({ connectionString: url });
		await admin.connect();
		await admin.query(`create database ${name}`);
		await admin.end();
		const parsed = new URL(url!);
		parsed.pathname = `/${name}`;
		target = parsed.toString();
		const owner = createDatabase({ url: target });
		await migrateToLatest(owner);
		await owner.destroy();
		direct = new pg.Client({ connectionString: target });
		await direct.connect();
		await direct.query('create table probe (id int primary key)');
		proxy = await TcpProxy.start({ host: parsed.hostname, port: Number(parsed.port || 5432) });
		db = createDatabase({ url: proxy.urlFor(target), poolSize: 3, timeouts: fast });
	});

	afterAll(async () => {
		await db?.destroy();
		await proxy?.close();
		await direct?.end();
		const admin = new pg.Client({ connectionString: url });
		await admin.connect();
		await admin.query(`drop database if exists ${name} with (force)`);
		await admin.end();
	});

	it('leaves a statement the server refuses alone, and keeps the connection', async () => {
		const { error } = await timed(() => sql`select * from no_such_table`.execute(db));
		expect(error).toBeTruthy();
		expect(isDatabaseUnavailable(error)).toBe(false);
		expect(isConnectionBroken(error)).toBe(false);
	});

	it('cancels a slow statement on the server (statement_timeout) and keeps the connection', async () => {
		const { ms, error } = await timed(() => sql`select pg_sleep(3)`.execute(db));
		expect(databaseProblem(error)).toBe('timeout');
		expect(ms).toBeLessThan(fast.statementMs + 400);
		expect(isConnectionBroken(error)).toBe(false);
		expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
	});

	it('gives up on a hung connection and never hands it out again', async () => {
		proxy.setMode('pass');
		await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(db)));
		proxy.setMode('hang');
		const hung = await Promise.all([1, 2, 3].map(() => timed(() => sql`select 1`.execute(db))));
		for (const { ms, error } of hung) {
			expect(databaseProblem(error)).toBe('timeout');
			expect(ms).toBeLessThan(fast.queryMs + 400);
		}
		// New connections pass again; the hung ones stay hung, as after a partition nobody reset.
		proxy.setMode('pass', { keepHung: true });
		for (let i = 0; i < 6; i += 1) {
			const { ms, error } = await timed(() => sql`select 1`.execute(db));
			expect(error).toBeNull();
			expect(ms).toBeLessThan(300);
		}
	});

	it('survives a connection reset while a transaction holds it, and keeps nothing of that transaction', async () => {
		proxy.setMode('pass');
		const { error } = await timed(() =>
			db.transaction().execute(async (trx) => {
				await sql`insert into probe values (1)`.execute(trx);
				// Between two statements the client sits checked out with no query running.
				proxy.resetAll();
				await new Promise((resolve) => setTimeout(resolve, 100));
				await sql`insert into probe values (2)`.execute(trx);
			})
		);
		expect(databaseProblem(error)).toBe('unreachable');
		expect((await direct.query('select count(*)::int as n from probe')).rows[0].n).toBe(0);
		expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
	});

	it('answers at once while connections are refused, and recovers by itself', async () => {
		proxy.setMode('refuse');
		for (let i = 0; i < 3; i += 1) {
			const { ms, error } = await timed(() => sql`select 1`.execute(db));
			expect(databaseProblem(error)).toBe('unreachable');
			expect(ms).toBeLessThan(300);
		}
		proxy.setMode('pass');
		expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
	});

	it('keeps nothing of a transaction whose connection hung before it committed', async () => {
		proxy.setMode('pass');
		const { error } = await timed(() =>
			db.transaction().execute(async (trx) => {
				await sql`insert into probe values (3)`.execute(trx);
				proxy.setMode('hang');
				await sql`insert into probe values (4)`.execute(trx);
			})
		);
		expect(databaseProblem(error)).toBe('timeout');
		// The server ends the abandoned session after idle_in_transaction_session_timeout, with a rollback.
		await new Promise((resolve) => setTimeout(resolve, fast.idleInTransactionMs + 500));
		expect((await direct.query('select count(*)::int as n from probe')).rows[0].n).toBe(0);
		proxy.setMode('pass');
		await sql`insert into probe values (3)`.execute(db);
		expect((await direct.query('select id from probe')).rows).toEqual([{ id: 3 }]);
	});

	it('keeps pg-boss and the e-mail job working after the database refused and hung', async () => {
		proxy.setMode('pass');
		const received: string[] = [];
		const smtp = new SMTPServer({
			authOptional: true,
			disabledCommands: ['STARTTLS'],
			logger: false,
			onData(stream, session, done) {
				stream.on('end', () => {
					received.push(...session.envelope.rcptTo.map((r) => r.address));
					done();
				});
				stream.resume();
			}
		});
		await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
		const errors: unknown[] = [];
		const logged = console.error;
		console.error = (...args: unknown[]) => errors.push(args);
		const jobs = await startJobs(db, {
			embedded: false,
			smtpUrl: `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`
		});
		try {
			// Longer than the worker's 5 s polling interval each, so that its polls fail.
			proxy.setMode('refuse');
			await new Promise((resolve) => setTimeout(resolve, 6000));
			proxy.setMode('hang');
			await new Promise((resolve) => setTimeout(resolve, 6000));
			proxy.setMode('pass');
			expect(errors.length).toBeGreaterThan(0);
			await queueEmail(db, {
				to: 'after-outage@example.test',
				template: 'password_reset',
				lang: 'en',
				params: { link: 'https://x.example/r/1', name: 'A' }
			});
			await sendEmailNudge();
			const began = Date.now();
			while (!received.includes('after-outage@example.test') && Date.now() - began < 15_000)
				await new Promise((resolve) => setTimeout(resolve, 100));
			expect(received).toContain('after-outage@example.test');
		} finally {
			console.error = logged;
			await jobs.stop();
			smtp.close();
		}
	});
});
