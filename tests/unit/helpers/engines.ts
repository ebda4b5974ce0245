import { afterAll, beforeAll, describe, inject } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDatabase, type Db } from '$lib/server/db';
import { migrateToLatest } from '$lib/server/db/migrate';

export interface Engine {
	name: 'pglite' | 'postgres';
	/** A fresh, migrated database of its own. */
	create(): Promise<{ db: Db; drop(): Promise<void> }>;
}

let template: Blob | undefined;

/**
 * The migrated dump that helpers/global-setup.ts made, read once per test file: a database made
 * from it is the same as an empty one migrated here, in a fraction of the time.
 */
export function pgliteTemplate(): Blob {
	return (template ??= new Blob([readFileSync(inject('pgliteTemplate'))]));
}

const pglite: Engine = {
	name: 'pglite',
	async create() {
		const db = createDatabase({ pgliteDir: 'memory', pgliteTemplate: pgliteTemplate() });
		// Finds every migration applied already; it would apply any the dump lacked.
		await migrateToLatest(db);
		return { db, drop: () => db.destroy() };
	}
};

function postgres(url: string): Engine {
	return {
		name: 'postgres',
		async create() {
			const name = `t_${randomBytes(6).toString('hex')}`;
			const admin = new pg.Client({ connectionString: url });
			await admin.connect();
			await admin.query(`create database ${name}`);
			await admin.end();
			const target = new URL(url);
			target.pathname = `/${name}`;
			const db = createDatabase({ url: target.toString(), poolSize: 4 });
			await migrateToLatest(db);
			return {
				db,
				async drop() {
					await db.destroy();
					const cleanup = new pg.Client({ connectionString: url });
					await cleanup.connect();
					await cleanup.query(`drop database if exists ${name} with (force)`);
					await cleanup.end();
				}
			};
		}
	};
}

export const engines: Engine[] = process.env.TEST_DATABASE_URL
	? [pglite, postgres(process.env.TEST_DATABASE_URL)]
	: [pglite];

/**
 * Runs a suite once per database engine, each on a fresh migrated database shared by the
 * suite's tests. Tests use distinct case references so that they do not see each other.
 */
export function describeEachEngine(
	title: string,
	suite: (ctx: { db: () => Db; engine: Engine['name'] }) => void
): void {
	for (const engine of engines) {
		describe(`${title} [${engine.name}]`, () => {
			let handle: Awaited<ReturnType<Engine['create']>>;
			beforeAll(async () => {
				handle = await engine.create();
			});
			afterAll(async () => {
				await handle?.drop();
			});
			suite({ db: () => handle.db, engine: engine.name });
		});
	}
}
