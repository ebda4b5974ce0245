import { PGlite } from '@electric-sql/pglite';
import {
	Kysely,
	PGliteDialect,
	PostgresDialect,
	type DatabaseConnection,
	type Driver,
	type PostgresPool,
	type PostgresPoolClient
} from 'kysely';
import pg from 'pg';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Database } from './schema';
import { isConnectionBroken } from './unavailable';
import { numberFromEnv } from '$lib/server/config/env';
import { connectionInTime, turns, type Turns } from './turns';

export type { Database } from './schema';
export { asRequest } from './turns';
export {
	AdmissionTimeout,
	databaseProblem,
	isDatabaseUnavailable,
	RETRY_AFTER_SECONDS,
	type DatabaseProblem
} from './unavailable';
export type Db = Kysely<Database>;

const DATE_OID = 1082;
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const BYTEA_OID = 17;

/** Both drivers return the same JavaScript types: dates as strings, int8 and numeric as numbers. */
const parsers: Record<number, (value: string) => unknown> = {
	[DATE_OID]: (value) => value,
	[INT8_OID]: (value) => Number(value),
	[NUMERIC_OID]: (value) => Number(value)
};

/**
 * The same parsers on PGlite, and bytea through Node's hex codec: PGlite's own conversion goes
 * byte by byte through JavaScript arrays, 13 seconds to store a 9 MB upload on this machine
 * against about one.
 */
const pgliteTypes = {
	parsers: { ...parsers, [BYTEA_OID]: (value: string) => Buffer.from(value.slice(2), 'hex') },
	serializers: {
		[BYTEA_OID]: (value: Uint8Array) =>
			'\\x' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')
	}
};

export interface DatabaseConfig {
	/** A PostgreSQL connection string; when absent, an embedded PGlite database is used. */
	url?: string;
	/** The owner role's connection string, for migrations; defaults to `url`. */
	migrationUrl?: string;
	/** PGlite data directory, or `memory` for a database that lives only in this process. */
	pgliteDir?: string;
	/**
	 * A dump of a PGlite data directory (`PGlite.dumpDataDir`) that an in-memory database starts
	 * from, instead of an empty cluster. The unit tests start each database from one migrated dump:
	 * creating an empty cluster is most of the seconds a new PGlite takes.
	 */
	pgliteTemplate?: Blob;
	poolSize?: number;
	/** Limits for a server that must answer every request within seconds; none when absent. */
	timeouts?: DatabaseTimeouts;
}

export interface DatabaseTimeouts {
	/** Waiting for a pooled connection, including opening a new one. */
	connectMs: number;
	/** The server cancels a statement that runs longer (`statement_timeout`). */
	statementMs: number;
	/** The server ends a session that sits idle inside a transaction, releasing its locks. */
	idleInTransactionMs: number;
	/** The client gives up on a query that gets no answer at all: a hung server or a dropped network never sends its own timeout. */
	queryMs: number;
}

function milliseconds(value: string | undefined, fallback: number): number {
	return numberFromEnv(value, fallback, { integer: true });
}

/**
 * The web server's limits: a request makes its first query within 2 s or gives up, and a
 * query is answered within 4 s or given up, so that every request is answered within 5 s.
 * Commands (seeding, migrations, audit verification) run without them.
 */
export function databaseTimeoutsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseTimeouts {
	const statementMs = milliseconds(env.DATABASE_STATEMENT_TIMEOUT_MS, 3000);
	return {
		connectMs: milliseconds(env.DATABASE_CONNECT_TIMEOUT_MS, 2000),
		statementMs,
		idleInTransactionMs: milliseconds(env.DATABASE_IDLE_TRANSACTION_TIMEOUT_MS, 5000),
		queryMs: milliseconds(env.DATABASE_QUERY_TIMEOUT_MS, statementMs > 0 ? statementMs + 1000 : 0)
	};
}

export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
	return {
		url: env.DATABASE_URL || undefined,
		migrationUrl: env.MIGRATION_DATABASE_URL || env.DATABASE_URL || undefined,
		pgliteDir: env.PGLITE_DATA_DIR || './.data/pglite',
		poolSize: env.DATABASE_POOL_SIZE ? Number(env.DATABASE_POOL_SIZE) : undefined
	};
}

/**
 * Connections per app server when DATABASE_POOL_SIZE is not set: two per core of this machine,
 * from 4 to 10. PostgreSQL does most work with about two busy connections per core; more only
 * share the cores, and a request's queries then wait in the CPU's queue rather than for a turn
 * (`turns`), where a request's later queries go first. With the database on a machine of its own, set it
 * to about twice that machine's cores divided by the number of app servers.
 */
export function defaultPoolSize(cores = availableParallelism()): number {
	return Math.min(10, Math.max(4, 2 * cores));
}

export function isEmbedded(config: DatabaseConfig): boolean {
	return !config.url;
}

/** Builds a Kysely instance. The app uses the one in `db`; tests and CLIs build their own. */
export function createDatabase(config: DatabaseConfig): Db {
	if (config.url) {
		const limits = config.timeouts;
		const pool = new pg.Pool({
			connectionString: config.url,
			max: config.poolSize ?? defaultPoolSize(),
			types: {
				getTypeParser: (oid: number, format?: 'text' | 'binary') =>
					parsers[oid] ?? pg.types.getTypeParser(oid, format)
			},
			// Booking opens at announced hours: a rush after a quiet spell should find its connections
			// open, not pay a connection start each (pg closes idle ones after 10 s by default).
			idleTimeoutMillis: 300_000,
			allowExitOnIdle: true,
			// Compiling a query to machine code pays off in reports over millions of rows, not in
			// requests that must answer in milliseconds: over the referent's 10,000 cases among a
			// million, PostgreSQL spent 10 ms compiling a 55 ms search.
			options: '-c jit=off',
			// Over a real network an idle connection to a vanished server is found within minutes, not hours.
			keepAlive: true,
			keepAliveInitialDelayMillis: 10_000,
			...(limits && {
				connectionTimeoutMillis: limits.connectMs || undefined,
				statement_timeout: limits.statementMs || undefined,
				idle_in_transaction_session_timeout: limits.idleInTransactionMs || undefined,
				query_timeout: limits.queryMs || undefined
			})
		});
		// An idle connection that the server ends (a restart, a failover) must not crash the process;
		// the pool replaces it on the next query.
		pool.on('error', (error) => console.error(`PostgreSQL connection lost: ${error.message}`));
		const db = new Kysely<Database>({
			dialect: new PostgresDialect({
				pool: discardingBrokenClients(pool, turns(pool.options.max, limits?.connectMs ?? 0))
			})
		});
		pools.set(db, pool);
		return db;
	}
	const dir = config.pgliteDir ?? './.data/pglite';
	const template = config.pgliteTemplate;
	return new Kysely<Database>({
		dialect: new SerializedPGliteDialect({
			pglite: async () => {
				if (dir !== 'memory') mkdirSync(dir, { recursive: true });
				return PGlite.create(dir === 'memory' ? undefined : dir, {
					...pgliteTypes,
					...(template && { loadDataDir: template })
				});
			}
		})
	});
}

const pools = new WeakMap<Db, pg.Pool>();

/** The pool's counts, for the health check; null on PGlite. */
export function poolStatus(db: Db): { total: number; idle: number; waiting: number } | null {
	const pool = pools.get(db);
	return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
}

/**
 * Kysely hands a client back to the pool after any error, and the pool keeps it if its socket
 * is still open. A client whose query timed out on the client side is still waiting for that
 * answer, so every later query on it would hang too: such a client is destroyed instead.
 * A client that loses its connection while it is checked out emits 'error', which would crash
 * the process if nobody listened.
 */
function discardingBrokenClients(pool: pg.Pool, gate: Turns): PostgresPool {
	return {
		options: pool.options,
		end: () => pool.end(),
		async connect(): Promise<PostgresPoolClient> {
			const asked = performance.now();
			const endTurn = await gate.take();
			const left = gate.maxWaitMs - (performance.now() - asked);
			const client = await connectionInTime(pool.connect(), left, gate.maxWaitMs).catch(
				(error: unknown) => {
					endTurn();
					throw error;
				}
			);
			let broken: Error | undefined;
			const onError = (error: Error) => (broken ??= error);
			client.on('error', onError);
			return {
				get processID() {
					return (client as { processID?: number }).processID;
				},
				query: ((text: string, parameters: unknown[]) =>
					client
						.query({ text, values: parameters, name: statementName(text) })
						.catch((error: unknown) => {
							if (isConnectionBroken(error) || isStalePlan(error)) broken ??= error as Error;
							throw error;
						})) as unknown as PostgresPoolClient['query'],
				release(destroy?: boolean) {
					client.off('error', onError);
					client.release(broken ?? destroy);
					endTurn();
				}
			};
		}
	};
}

const STATEMENT_NAMES_MAX = 2000;
const STATEMENT_TEXT_MAX = 16_000;
const statementNames = new Map<string, string>();

/**
 * A name for the statement, so that each connection parses and plans it once and reuses the
 * plan: the app sends the same few hundred statements over and over, and parsing and planning
 * were most of PostgreSQL's work per booking. Statements of a rare shape (a bulk insert of so
 * many rows) would each take a name on every connection, so names stop at a fixed number and
 * later or longer statements go unnamed, parsed each time as before.
 */
function statementName(text: string): string | undefined {
	const known = statementNames.get(text);
	if (known || text.length > STATEMENT_TEXT_MAX || statementNames.size >= STATEMENT_NAMES_MAX)
		return known;
	const name = `k${createHash('sha1').update(text).digest('base64url')}`;
	statementNames.set(text, name);
	return name;
}

/**
 * A named statement prepared before a migration changed the shape of what it returns fails on
 * that connection from then on (while an old server runs beside a migrated database, say): the
 * connection is let go, and the next one prepares the statement afresh.
 */
function isStalePlan(error: unknown): boolean {
	return (
		(error as { code?: unknown }).code === '0A000' &&
		/cached plan must not change result type/.test((error as Error).message)
	);
}

/**
 * PGlite is one connection. Kysely's driver hands that connection to every caller at once, so
 * a query from one request could run inside another request's transaction. This driver lets
 * one caller hold the connection at a time, as a pool of size one would.
 */
class SerializedPGliteDialect extends PGliteDialect {
	override createDriver(): Driver {
		const inner = super.createDriver();
		let tail: Promise<void> = Promise.resolve();
		const releases = new WeakMap<DatabaseConnection, Array<() => void>>();
		return new Proxy(inner, {
			get(target, property, receiver) {
				if (property === 'acquireConnection') {
					return async () => {
						let release!: () => void;
						const previous = tail;
						tail = new Promise<void>((resolve) => (release = resolve));
						await previous;
						const connection = await target.acquireConnection();
						const queue = releases.get(connection) ?? [];
						queue.push(release);
						releases.set(connection, queue);
						return connection;
					};
				}
				if (property === 'releaseConnection') {
					return async (connection: DatabaseConnection) => {
						await target.releaseConnection(connection);
						releases.get(connection)?.shift()?.();
					};
				}
				const value = Reflect.get(target, property, receiver);
				return typeof value === 'function' ? value.bind(target) : value;
			}
		});
	}
}

/** The application's database, connected on first use, with the web server's time limits. */
export const db: Db = createDatabase({
	...databaseConfigFromEnv(),
	timeouts: databaseTimeoutsFromEnv()
});
