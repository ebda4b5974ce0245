/**
 * The end-to-end server: a fresh database with a small demo history, the demo accounts, two more
 * personas for the access matrix, an API key (written to a file the tests read), and a real SMTP
 * server whose messages land as files the tests read. Then the production build on top of it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { createDatabase } from '../../../src/lib/server/db';
import { migrateToLatest } from '../../../src/lib/server/db/migrate';
import { API_SCOPES, createApiKey } from '../../../src/lib/server/api-keys/api-key.service';
import { seedDemo } from '../../../src/lib/server/demo/seed';
import { DEMO_ACCOUNTS, seedDemoAccounts } from '../../../src/lib/server/demo/accounts';
import { e2eAppDatabaseUrlFile, e2eKeyFile, e2eMailDir, e2eStateDir } from './paths';
import { e2eScopedKeysFile } from './api';

/** The owner's (or a superuser's) connection: it creates the database and migrates. */
const url = process.env.E2E_DATABASE_URL;
// Production refuses to start without an audit key; a fixed one, so tests can check the chain.
const env: NodeJS.ProcessEnv = {
	...process.env,
	DEMO_SEED: 'off',
	NODE_ENV: 'production',
	AUDIT_KEY: process.env.AUDIT_KEY || 'e2e-audit-key-0123456789abcdef0123456789'
};

rmSync(e2eStateDir, { recursive: true, force: true });
mkdirSync(e2eMailDir, { recursive: true });

if (url) {
	const target = new URL(url);
	const name = target.pathname.slice(1);
	target.pathname = '/postgres';
	const admin = new pg.Client({ connectionString: target.toString() });
	await admin.connect();
	await admin.query(`drop database if exists "${name}" with (force)`);
	await admin.query(`create database "${name}"`);
	await admin.end();
	env.MIGRATION_DATABASE_URL = url;
} else {
	env.PGLITE_DATA_DIR = `${e2eStateDir}/pglite`;
	// Production refuses the embedded database unless told otherwise; these tests mean it.
	env.ALLOW_EMBEDDED_DATABASE = 'yes';
	delete env.DATABASE_URL;
	delete env.MIGRATION_DATABASE_URL;
}

const db = createDatabase({ url, pgliteDir: env.PGLITE_DATA_DIR });
await migrateToLatest(db);
const summary = await seedDemo(db, { scale: Number(process.env.E2E_SCALE ?? 0.005) });
await seedDemoAccounts(db, [
	...DEMO_ACCOUNTS,
	{
		email: 'referent-y@demo.test',
		name: 'Referent Polder Photonics',
		kind: 'referent',
		roles: [{ role: 'referent_admin', kvk: '90000002' }]
	},
	{
		email: 'spare-staff@demo.test',
		name: 'Spare Staff',
		kind: 'staff',
		roles: [{ role: 'planner' }]
	}
]);
// Every test shares this key: a limit well above what the suite sends, so only the limited key meets it.
const { key } = await createApiKey(db, {
	label: 'end-to-end tests',
	scopes: API_SCOPES,
	requestsPerMinute: 100_000
});
const scoped = {
	eventsOnly: (await createApiKey(db, { label: 'e2e events only', scopes: ['events:write'] })).key,
	lettersOnly: (await createApiKey(db, { label: 'e2e letters only', scopes: ['letters:issue'] }))
		.key,
	limited: (
		await createApiKey(db, { label: 'e2e limited', scopes: API_SCOPES, requestsPerMinute: 3 })
	).key
};
await db.destroy();
// The server connects as the app role, which may only read and append to the audit log.
if (url) {
	env.DATABASE_URL = await appRoleUrl(url);
	writeFileSync(e2eAppDatabaseUrlFile, env.DATABASE_URL);
}
writeFileSync(e2eKeyFile, key);
writeFileSync(e2eScopedKeysFile, JSON.stringify(scoped));
console.log(
	`e2e database ready on ${url ? 'PostgreSQL' : 'PGlite'}: ${summary.cases} cases, ${summary.events} events`
);

/**
 * E2E_APP_DATABASE_URL (CI creates that login role), or else a login role made here. Either way it
 * is given mijn_aanvraag_app, which the migration created.
 */
async function appRoleUrl(ownerUrl: string): Promise<string> {
	const given = process.env.E2E_APP_DATABASE_URL;
	const appUrl = new URL(given ?? ownerUrl);
	const owner = new pg.Client({ connectionString: ownerUrl });
	await owner.connect();
	try {
		if (!given) {
			appUrl.username = 'mijn_aanvraag_e2e_app';
			appUrl.password = 'e2e';
			await owner.query(`do $$ begin
				create role mijn_aanvraag_e2e_app login password 'e2e';
			exception when duplicate_object or unique_violation then null;
			end $$`);
		}
		await owner.query(`grant mijn_aanvraag_app to "${decodeURIComponent(appUrl.username)}"`);
	} finally {
		await owner.end();
	}
	return appUrl.toString();
}

let received = 0;
const smtp = new SMTPServer({
	authOptional: true,
	disabledCommands: ['STARTTLS'],
	onData(stream, session, callback) {
		const chunks: Buffer[] = [];
		stream.on('data', (chunk: Buffer) => chunks.push(chunk));
		stream.on('end', () => {
			received += 1;
			const to = session.envelope.rcptTo.map((r) => r.address).join(',');
			writeFileSync(
				join(e2eMailDir, `${String(received).padStart(4, '0')}.eml`),
				`X-Envelope-To: ${to}\r\n${Buffer.concat(chunks).toString('utf8')}`
			);
			callback();
		});
	}
});
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
const smtpPort = (smtp.server.address() as { port: number }).port;
env.SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;

const server = spawn(process.execPath, ['build'], { env, stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => {
	smtp.close();
	process.exit(code ?? 0);
});
