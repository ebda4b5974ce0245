/**
 * Command-line tasks, run through npm scripts (src/cli/main.ts): `npm run db:migrate`, `npm run seed -- --scale 0.1`,
 * `npm run api-key -- create "INDiGO feed" --scope events:write`, `npm run api-key -- list`, `npm run api-key -- revoke 3`.
 * Apart from main.ts, so that tests can run a command in their own process.
 */
import { parseArgs } from 'node:util';
import { createDatabase, databaseConfigFromEnv, isEmbedded } from '$lib/server/db';
import { migrateAsOwner } from '$lib/server/db/migrate';
import {
	API_SCOPES,
	DEFAULT_REQUESTS_PER_MINUTE,
	createApiKey,
	isApiScope,
	listApiKeys,
	revokeApiKey
} from '$lib/server/api-keys/api-key.service';
import { seedDemo } from '$lib/server/demo/seed';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { createStaffAccount } from '$lib/server/admin/admin.service';
import { adminErrors } from '$lib/server/admin/admin.errors';
import { seedDemoAccounts } from '$lib/server/demo/accounts';
import {
	chainPendingAudit,
	verifyAuditChain,
	type ChainProblem
} from '$lib/server/audit/audit.service';
import { AuditKeyError, currentAuditKey } from '$lib/server/audit/audit.key';
import { newestAnchorIn, type Anchor } from '$lib/server/audit/audit.anchor';

const usage = `usage:
  npm run db:migrate
  npm run seed -- [--scale S]        S = 1.0 is a full IND year of inflow, over three years
  npm run api-key -- create "<label>" --scope events:write [--scope letters:issue] [--per-minute N]
                                     scopes: events:write (feed events), letters:issue (activation letters),
                                     changes:read (the change feed: bookings, moves, attendance);
                                     N requests a minute, default ${DEFAULT_REQUESTS_PER_MINUTE}
  npm run api-key -- list
  npm run api-key -- revoke <id>
  npm run admin:create -- <e-mail> "<full name>"
                                     the first administrator; prints a one-time password, and the
                                     first sign-in leads through the second step's enrolment
  npm run audit:verify -- [--anchor FILE]
                                     checks that no audit row was changed or deleted and, with an
                                     anchor file (AUDIT_ANCHOR_FILE, or a log with its lines), that
                                     no newest rows were cut off`;

function describeProblem(p: ChainProblem, anchor: Anchor | null): string {
	const when = anchor ? `the anchor of ${anchor.at}` : 'the anchor';
	switch (p.problem) {
		case 'changed':
			return `Audit row ${p.id} was changed after it was written.`;
		case 'missing_before':
			return `Audit row ${p.id} follows a deleted row.`;
		case 'missing_after':
			return `Audit row ${p.id} is followed by deleted rows.`;
		case 'downgraded':
			return `Audit row ${p.id} has no key although earlier rows have one: it was rewritten without AUDIT_KEY.`;
		case 'unknown_key':
			return `Audit row ${p.id} was written with another key than this AUDIT_KEY.`;
		case 'anchor_forged':
			return `The anchor ${anchor?.at ?? ''} is not signed with AUDIT_KEY: it was altered or forged.`;
		case 'anchor_other_key':
			return `The anchor ${anchor?.at ?? ''} was written with another key than this AUDIT_KEY.`;
		case 'anchor_cut_off':
			return `The log has fewer rows than ${when}, which recorded ${anchor?.rows} rows up to row ${p.id}: the newest rows were cut off.`;
		case 'anchor_differs':
			return `Audit row ${p.id} differs from ${when}: the log was rewritten or replaced.`;
	}
}

/** Runs a command with its arguments, on the database that the environment names; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
	const [command, ...rest] = argv;
	if (
		!command ||
		!['migrate', 'seed', 'api-key', 'audit-verify', 'create-admin'].includes(command)
	) {
		console.error(usage);
		return 2;
	}
	let anchor: Anchor | null = null;
	if (command === 'audit-verify') {
		const { values } = parseArgs({ args: rest, options: { anchor: { type: 'string' } } });
		if (values.anchor) {
			try {
				anchor = newestAnchorIn(values.anchor);
			} catch (err) {
				console.error(`Cannot read the anchor file ${values.anchor}: ${(err as Error).message}`);
				return 2;
			}
			if (!anchor) {
				console.error(`No audit anchor in ${values.anchor}.`);
				return 2;
			}
		}
		try {
			currentAuditKey();
		} catch (err) {
			if (!(err instanceof AuditKeyError)) throw err;
			console.error(err.message);
			return 2;
		}
	}
	const config = databaseConfigFromEnv();
	const db = createDatabase(config);
	try {
		const migrated = await migrateAsOwner(db, config);
		if (command === 'migrate') {
			const applied =
				migrated.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
			console.log(
				applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.'
			);
			return 0;
		}
		if (command === 'audit-verify') {
			// Rows a crash or a stopped server left waiting are part of the log too.
			const chained = await chainPendingAudit(db);
			if (chained) console.log(`${chained} rows waiting in audit_pending were chained first.`);
			const { rows, problems, unkeyedRows } = await verifyAuditChain(db, {
				anchor: anchor ?? undefined
			});
			for (const p of problems) console.error(describeProblem(p, anchor));
			if (unkeyedRows) {
				console.log(
					`${unkeyedRows} rows under the old unkeyed rule (written before AUDIT_KEY): anyone with database access could have rewritten them.`
				);
			}
			if (anchor && !problems.length)
				console.log(
					`Anchor of ${anchor.at} matches: ${anchor.rows} rows up to row ${anchor.lastId}.`
				);
			console.log(
				problems.length
					? `Audit log TAMPERED: ${problems.length} problem(s) in ${rows} rows.`
					: `Audit log intact: ${rows} rows, chain verified.`
			);
			return problems.length ? 1 : 0;
		}
		if (command === 'create-admin') {
			const [email, ...name] = rest;
			const displayName = name.join(' ').trim();
			if (!email || !displayName) {
				console.error(usage);
				return 2;
			}
			const password = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(15)));
			try {
				const id = await createStaffAccount(
					db,
					{ userId: null, role: 'system', ip: null },
					{ email, displayName, password, roles: ['admin'], desk: null }
				);
				console.log(
					`Administrator ${id} (${email}) created. First password, shown only now: ${password}\nSign in with it; the portal then leads through setting up the authenticator app. Change the password after.`
				);
				return 0;
			} catch (err) {
				if (!adminErrors.is(err)) throw err;
				console.error(`Cannot create the administrator: ${err.code}.`);
				return 1;
			}
		}
		if (command === 'seed') {
			const { values } = parseArgs({
				args: rest,
				options: { scale: { type: 'string', default: '0.02' } }
			});
			const scale = Number(values.scale);
			if (!(scale > 0 && scale <= 2)) {
				// The simulator holds the whole history in memory: scale 1 takes about 2.6 GB.
				console.error('--scale must be a number above 0 and at most 2');
				return 2;
			}
			console.log(
				`Seeding ${isEmbedded(config) ? `PGlite (${config.pgliteDir})` : 'PostgreSQL'} at scale ${scale}…`
			);
			const summary = await seedDemo(db, { scale, log: (line) => console.log(line) });
			const accounts = await seedDemoAccounts(db);
			if (accounts) console.log(`Created ${accounts} demo accounts (password demo-password).`);
			console.log(
				`Done: ${summary.cases} cases, ${summary.events} events in ${summary.seconds.toFixed(1)} s.`
			);
			return 0;
		}
		const [action, argument] = rest;
		if (action === 'create') {
			const { values, positionals } = parseArgs({
				args: rest.slice(1),
				allowPositionals: true,
				options: {
					scope: { type: 'string', multiple: true, default: [] },
					'per-minute': { type: 'string', default: String(DEFAULT_REQUESTS_PER_MINUTE) }
				}
			});
			const label = positionals.join(' ').trim();
			const unknown = values.scope.filter((s) => !isApiScope(s));
			const perMinute = Number(values['per-minute']);
			if (
				!label ||
				values.scope.length === 0 ||
				unknown.length ||
				!(Number.isInteger(perMinute) && perMinute > 0)
			) {
				if (unknown.length)
					console.error(`Unknown scope ${unknown.join(', ')}; known: ${API_SCOPES.join(', ')}.`);
				else if (values.scope.length === 0)
					console.error(`Give at least one --scope (${API_SCOPES.join(', ')}).`);
				else if (label && !(Number.isInteger(perMinute) && perMinute > 0))
					console.error('--per-minute must be a whole number above 0.');
				console.error(usage);
				return 2;
			}
			const scopes = values.scope.filter(isApiScope);
			const { id, key } = await createApiKey(db, { label, scopes, requestsPerMinute: perMinute });
			console.log(
				`API key ${id} ("${label}", ${scopes.join(' ')}, ${perMinute} requests a minute); it is shown only now:\n${key}`
			);
			return 0;
		}
		if (action === 'list') {
			console.table(
				(await listApiKeys(db)).map((k) => ({
					id: k.id,
					label: k.label,
					prefix: k.prefix,
					scopes: k.scopes.join(' '),
					perMinute: k.requests_per_minute,
					created: k.created_at.toISOString(),
					lastUsed: k.last_used_at?.toISOString() ?? '',
					revoked: k.revoked_at?.toISOString() ?? ''
				}))
			);
			return 0;
		}
		if (action === 'revoke' && /^\d+$/.test(argument ?? '')) {
			const revoked = await revokeApiKey(db, Number(argument), {
				userId: null,
				role: 'system',
				organisation: 'cli'
			});
			console.log(
				revoked ? `API key ${argument} is revoked.` : `No active API key with id ${argument}.`
			);
			return revoked ? 0 : 1;
		}
		console.error(usage);
		return 2;
	} finally {
		await db.destroy();
	}
}
