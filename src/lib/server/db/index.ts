import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, type DatabaseConnection, type Driver } from 'kysely';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import type { Database } from './schema';

export type { Database } from './schema';
export type Db = Kysely<Database>;

const DATE_OID = 1082;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Both drivers return the same JavaScript types: dates as strings, int8 and numeric as numbers. */
const parsers: Record<number, (value: string) => unknown> = {
	[DATE_OID]: (value) => value,
	[INT8_OID]: (value) => Number(value),
	[NUMERIC_OID]: (value) => Number(value)
};

export interface DatabaseConfig {
	/** A PostgreSQL connection string; when absent, an embedded PGlite database is used. */
	url?: string;
	/** The owner role's connection string, for migrations; defaults to `url`. */
	migrationUrl?: string;
	/** PGlite data directory, or `memory` for a database that lives only in this process. */
	pgliteDir?: string;
	poolSize?: number;
}

export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
	return {
		url: env.DATABASE_URL || undefined,
		migrationUrl: env.MIGRATION_DATABASE_URL || env.DATABASE_URL || undefined,
		pgliteDir: env.PGLITE_DATA_DIR || './.data/pglite',
		poolSize: env.DATABASE_POOL_SIZE ? Number(env.DATABASE_POOL_SIZE) : undefined
	};
}

export function isEmbedded(config: DatabaseConfig): boolean {
	return !config.url;
}

/** Builds a Kysely instance. The app uses the one in `db`; tests and CLIs build their own. */
export function createDatabase(config: DatabaseConfig): Db {
	if (config.url) {
		const pool = new pg.Pool({
			connectionString: config.url,
			max: config.poolSize ?? 10,
			types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => parsers[oid] ?? pg.types.getTypeParser(oid, format) }
		});
		// An idle connection that the server ends (a restart, a failover) must not crash the process;
		// the pool replaces it on the next query.
		pool.on('error', (error) => console.error(`PostgreSQL connection lost: ${error.message}`));
		return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
	}
	const dir = config.pgliteDir ?? './.data/pglite';
	return new Kysely<Database>({
		dialect: new SerializedPGliteDialect({
			pglite: async () => {
				if (dir !== 'memory') mkdirSync(dir, { recursive: true });
				return PGlite.create(dir === 'memory' ? undefined : dir, { parsers });
			}
		})
	});
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

/** The application's database, connected on first use. */
export const db: Db = createDatabase(databaseConfigFromEnv());
