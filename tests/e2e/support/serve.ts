/**
 * The end-to-end server: a fresh database with a small demo history and an API key (written to
 * a file the tests read), then the production build on top of it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { createDatabase } from '../../../src/lib/server/db';
import { migrateToLatest } from '../../../src/lib/server/db/migrate';
import { createApiKey } from '../../../src/lib/server/api-keys/api-key.service';
import { seedDemo } from '../../../src/lib/server/demo/seed';
import { e2eStateDir, e2eKeyFile } from './paths';

const url = process.env.E2E_DATABASE_URL;
const env: NodeJS.ProcessEnv = { ...process.env, DEMO_SEED: 'off', NODE_ENV: 'production' };

rmSync(e2eStateDir, { recursive: true, force: true });
mkdirSync(e2eStateDir, { recursive: true });

if (url) {
	const target = new URL(url);
	const name = target.pathname.slice(1);
	target.pathname = '/postgres';
	const admin = new pg.Client({ connectionString: target.toString() });
	await admin.connect();
	await admin.query(`drop database if exists "${name}" with (force)`);
	await admin.query(`create database "${name}"`);
	await admin.end();
	env.DATABASE_URL = url;
} else {
	env.PGLITE_DATA_DIR = `${e2eStateDir}/pglite`;
	delete env.DATABASE_URL;
}

const db = createDatabase({ url, pgliteDir: env.PGLITE_DATA_DIR });
await migrateToLatest(db);
const summary = await seedDemo(db, { scale: Number(process.env.E2E_SCALE ?? 0.005) });
const { key } = await createApiKey(db, 'end-to-end tests');
await db.destroy();
writeFileSync(e2eKeyFile, key);
console.log(`e2e database ready on ${url ? 'PostgreSQL' : 'PGlite'}: ${summary.cases} cases, ${summary.events} events`);

const server = spawn(process.execPath, ['build'], { env, stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
