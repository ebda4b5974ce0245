import { describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDatabase, type Db } from '$lib/server/db';
import { migrateToLatest } from '$lib/server/db/migrate';
import {
	recordAudit,
	recordAuditAfterCommit,
	verifyAuditChain
} from '$lib/server/audit/audit.service';
import { writeAnchor } from '$lib/server/audit/audit.anchor';
import { currentAuditKey } from '$lib/server/audit/audit.key';
import { main } from '../../../src/cli/commands';

/** `npm run audit:verify` as a process of its own, as an operator runs it. */
function verify(dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
	return spawnSync(
		process.execPath,
		['--import', 'tsx', 'src/cli/main.ts', 'audit-verify', ...args],
		{ env: { ...process.env, PGLITE_DATA_DIR: dir, DATABASE_URL: '', ...env }, encoding: 'utf8' }
	);
}

/**
 * The same command in this process: the code behind src/cli/main.ts, with the same environment
 * and its exit code and output. A new process costs seconds on a busy machine, so the tests of
 * what the command finds use this, and the first test runs the real process.
 */
async function verifyHere(dir: string, args: string[] = []) {
	const out: string[] = [];
	const err: string[] = [];
	vi.stubEnv('PGLITE_DATA_DIR', dir);
	vi.stubEnv('DATABASE_URL', '');
	const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
	const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
	try {
		const status = await main(['audit-verify', ...args]);
		return { status, stdout: out.join('\n'), stderr: err.join('\n') };
	} finally {
		log.mockRestore();
		error.mockRestore();
		vi.unstubAllEnvs();
	}
}

async function withDb(dir: string, work: (db: Db) => Promise<unknown>) {
	const db = createDatabase({ pgliteDir: dir });
	try {
		await migrateToLatest(db);
		await work(db);
	} finally {
		await db.destroy();
	}
}

const admin = { userId: 1, role: 'admin' };

// The first test's checks are CLI processes of their own, which take seconds on a busy machine.
describe('npm run audit:verify', { timeout: 240_000 }, () => {
	it('passes an intact log and fails, naming the row, once a row is changed', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
		try {
			await withDb(dir, async (db) => {
				for (let i = 0; i < 3; i++)
					await recordAudit(db, admin, { action: 'admin.roles_changed', subject: `user:${i}` });
			});

			const intact = verify(dir);
			expect(intact.status).toBe(0);
			expect(intact.stdout).toContain('Audit log intact: 3 rows');
			expect(intact.stdout).not.toContain('old unkeyed rule');

			await withDb(dir, async (db) => {
				await sql`alter table audit_event disable trigger audit_event_append_only`.execute(db);
				await sql`update audit_event set subject = 'user:99' where id = 2`.execute(db);
			});

			const tampered = verify(dir);
			expect(tampered.status).toBe(1);
			expect(tampered.stderr).toContain('Audit row 2 was changed after it was written.');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('chains the rows a stopped server left waiting before it verifies', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
		try {
			await withDb(dir, async (db) => {
				await recordAudit(db, admin, { action: 'admin.roles_changed', subject: 'user:1' });
				await db.transaction().execute((trx) =>
					recordAuditAfterCommit(trx, admin, {
						action: 'admin.roles_changed',
						subject: 'user:2'
					})
				);
			});
			const result = await verifyHere(dir);
			expect(result.status).toBe(0);
			expect(result.stdout).toContain('1 rows waiting in audit_pending were chained first.');
			expect(result.stdout).toContain('Audit log intact: 2 rows');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('with --anchor, finds newest rows that were cut off, and a log rewritten under the anchor', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
		const anchorFile = join(dir, 'audit-anchor.log');
		try {
			await withDb(dir, async (db) => {
				for (let i = 0; i < 5; i++)
					await recordAudit(db, admin, { action: 'admin.roles_changed', subject: `user:${i}` });
				await writeAnchor(db, currentAuditKey(), { file: anchorFile, log: () => {} });
				// Rows after the newest anchor are fine.
				for (let i = 5; i < 7; i++)
					await recordAudit(db, admin, { action: 'admin.roles_changed', subject: `user:${i}` });
			});
			const intact = await verifyHere(dir, ['--anchor', anchorFile]);
			expect(intact.status).toBe(0);
			expect(intact.stdout).toMatch(/Anchor of \S+ matches: 5 rows up to row 5\./);

			// The owner cuts off the newest four rows, past the triggers, and moves the head back:
			// the chain itself is whole again.
			await withDb(dir, async (db) => {
				await db.transaction().execute(async (trx) => {
					await sql`set local session_replication_role = replica`.execute(trx);
					await sql`delete from audit_event where id > 3`.execute(trx);
					await sql`update audit_head set last_id = 3, last_hash = (select hash from audit_event where id = 3)`.execute(
						trx
					);
				});
				expect((await verifyAuditChain(db)).problems).toEqual([]);
			});
			const cut = await verifyHere(dir, ['--anchor', anchorFile]);
			expect(cut.status).toBe(1);
			expect(cut.stderr).toMatch(
				/The log has fewer rows than the anchor of \S+, which recorded 5 rows up to row 5: the newest rows were cut off\./
			);

			// New rows fill the gap: as many rows as anchored, but not the anchored ones.
			await withDb(dir, async (db) => {
				for (let i = 0; i < 2; i++)
					await recordAudit(db, admin, { action: 'admin.roles_changed', subject: `user:new${i}` });
				expect((await verifyAuditChain(db)).problems).toEqual([]);
			});
			const replaced = await verifyHere(dir, ['--anchor', anchorFile]);
			expect(replaced.status).toBe(1);
			expect(replaced.stderr).toMatch(
				/Audit row 5 differs from the anchor of \S+: the log was rewritten or replaced\./
			);

			// An anchor edited to match the shorter log is not signed with the key.
			const line = readFileSync(anchorFile, 'utf8').trim();
			writeFileSync(
				anchorFile,
				`${line}\n${line.replace('"rows":5', '"rows":3').replace('"lastId":5', '"lastId":3')}\n`
			);
			const forged = await verifyHere(dir, ['--anchor', anchorFile]);
			expect(forged.status).toBe(1);
			expect(forged.stderr).toContain('is not signed with AUDIT_KEY');

			const missing = await verifyHere(dir, ['--anchor', join(dir, 'nope.log')]);
			expect(missing.status).toBe(2);
			expect(missing.stderr).toContain('Cannot read the anchor file');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('refuses to verify in production without AUDIT_KEY', () => {
		const run = verify('memory', [], { NODE_ENV: 'production', AUDIT_KEY: '' });
		expect(run.status).toBe(2);
		expect(run.stderr).toContain('AUDIT_KEY is not set');
	});
});
