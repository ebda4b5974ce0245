import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDatabase } from '$lib/server/db';
import { migrateToLatest } from '$lib/server/db/migrate';
import { recordAudit } from '$lib/server/audit/audit.service';

function verify(dir: string) {
	return spawnSync('npx', ['tsx', 'src/cli/main.ts', 'audit-verify'], { env: { ...process.env, PGLITE_DATA_DIR: dir, DATABASE_URL: '' }, encoding: 'utf8' });
}

describe('npm run audit:verify', () => {
	it('passes an intact log and fails, naming the row, once a row is changed', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
		try {
			let db = createDatabase({ pgliteDir: dir });
			await migrateToLatest(db);
			for (let i = 0; i < 3; i++) await recordAudit(db, { userId: 1, role: 'admin' }, { action: 'admin.roles_changed', subject: `user:${i}` });
			await db.destroy();

			const intact = verify(dir);
			expect(intact.status).toBe(0);
			expect(intact.stdout).toContain('Audit log intact: 3 rows');

			db = createDatabase({ pgliteDir: dir });
			await sql`alter table audit_event disable trigger audit_event_append_only`.execute(db);
			await sql`update audit_event set subject = 'user:99' where id = 2`.execute(db);
			await db.destroy();

			const tampered = verify(dir);
			expect(tampered.status).toBe(1);
			expect(tampered.stderr).toContain('Audit row 2 was changed after it was written.');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
