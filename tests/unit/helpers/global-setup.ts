/**
 * Once per `vitest run`: a PGlite database with every migration applied, dumped to a file. Each
 * test file's PGlite databases start from that dump (helpers/engines.ts) rather than from an empty
 * cluster, which takes most of the seconds a new PGlite takes on a busy machine.
 */
import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import type { Db } from '$lib/server/db';
import { migrateToLatest } from '$lib/server/db/migrate';

declare module 'vitest' {
	export interface ProvidedContext {
		/** The migrated PGlite dump's file. */
		pgliteTemplate: string;
	}
}

export default async function setup(project: TestProject) {
	const pglite = await PGlite.create();
	const db = new Kysely({ dialect: new PGliteDialect({ pglite }) }) as unknown as Db;
	await migrateToLatest(db);
	const dump = await pglite.dumpDataDir('none');
	await db.destroy();
	const dir = mkdtempSync(join(tmpdir(), 'pglite-template-'));
	const file = join(dir, 'migrated.tar');
	writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
	project.provide('pgliteTemplate', file);
	return () => rmSync(dir, { recursive: true, force: true });
}
