/**
 * Command-line tasks, run through npm scripts: `npm run db:migrate`, `npm run seed -- --scale 0.1`,
 * `npm run api-key -- create "INDiGO feed"`, `npm run api-key -- list`, `npm run api-key -- revoke 3`.
 */
import { parseArgs } from 'node:util';
import { createDatabase, databaseConfigFromEnv, isEmbedded } from '$lib/server/db';
import { migrateToLatest } from '$lib/server/db/migrate';
import { createApiKey, listApiKeys, revokeApiKey } from '$lib/server/api-keys/api-key.service';
import { seedDemo } from '$lib/server/demo/seed';
import { seedDemoAccounts } from '$lib/server/demo/accounts';
import { verifyAuditChain } from '$lib/server/audit/audit.service';

const usage = `usage:
  npm run db:migrate
  npm run seed -- [--scale S]        S = 1.0 is a full IND year of inflow, over three years
  npm run api-key -- create "<label>"
  npm run api-key -- list
  npm run api-key -- revoke <id>
  npm run audit:verify               checks that no audit row was changed or deleted`;

async function main(argv: string[]): Promise<number> {
	const [command, ...rest] = argv;
	if (!command || !['migrate', 'seed', 'api-key', 'audit-verify'].includes(command)) {
		console.error(usage);
		return 2;
	}
	const config = databaseConfigFromEnv();
	const db = createDatabase(config);
	try {
		const migrated = await migrateToLatest(db);
		if (command === 'migrate') {
			const applied = migrated.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
			console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
			return 0;
		}
		if (command === 'audit-verify') {
			const { rows, problems } = await verifyAuditChain(db);
			for (const p of problems) {
				const what = { changed: 'was changed after it was written', missing_before: 'follows a deleted row', missing_after: 'is followed by deleted rows' }[p.problem];
				console.error(`Audit row ${p.id} ${what}.`);
			}
			console.log(problems.length ? `Audit log TAMPERED: ${problems.length} problem(s) in ${rows} rows.` : `Audit log intact: ${rows} rows, chain verified.`);
			return problems.length ? 1 : 0;
		}
		if (command === 'seed') {
			const { values } = parseArgs({ args: rest, options: { scale: { type: 'string', default: '0.02' } } });
			const scale = Number(values.scale);
			if (!(scale > 0 && scale <= 2)) {
				// The simulator holds the whole history in memory: scale 1 takes about 2.6 GB.
				console.error('--scale must be a number above 0 and at most 2');
				return 2;
			}
			console.log(`Seeding ${isEmbedded(config) ? `PGlite (${config.pgliteDir})` : 'PostgreSQL'} at scale ${scale}…`);
			const summary = await seedDemo(db, { scale, log: (line) => console.log(line) });
			const accounts = await seedDemoAccounts(db);
			if (accounts) console.log(`Created ${accounts} demo accounts (password demo-password).`);
			console.log(`Done: ${summary.cases} cases, ${summary.events} events in ${summary.seconds.toFixed(1)} s.`);
			return 0;
		}
		const [action, argument] = rest;
		if (action === 'create' && argument?.trim()) {
			const { id, key } = await createApiKey(db, argument.trim());
			console.log(`API key ${id} ("${argument.trim()}"); it is shown only now:\n${key}`);
			return 0;
		}
		if (action === 'list') {
			console.table(
				(await listApiKeys(db)).map((k) => ({ id: k.id, label: k.label, prefix: k.prefix, created: k.created_at.toISOString(), lastUsed: k.last_used_at?.toISOString() ?? '', revoked: k.revoked_at?.toISOString() ?? '' }))
			);
			return 0;
		}
		if (action === 'revoke' && /^\d+$/.test(argument ?? '')) {
			const revoked = await revokeApiKey(db, Number(argument));
			console.log(revoked ? `API key ${argument} is revoked.` : `No active API key with id ${argument}.`);
			return revoked ? 0 : 1;
		}
		console.error(usage);
		return 2;
	} finally {
		await db.destroy();
	}
}

process.exitCode = await main(process.argv.slice(2));
