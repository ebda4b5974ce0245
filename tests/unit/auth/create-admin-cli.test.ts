import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '$lib/server/db';
import { login } from '$lib/server/auth/login.service';

function createAdmin(dir: string, args: string[]) {
	return spawnSync(
		process.execPath,
		['--import', 'tsx', 'src/cli/main.ts', 'create-admin', ...args],
		{ env: { ...process.env, PGLITE_DATA_DIR: dir, DATABASE_URL: '' }, encoding: 'utf8' }
	);
}

describe('npm run admin:create', { timeout: 240_000 }, () => {
	it('makes the first administrator with a one-time password, whose first sign-in asks to enrol the second step; refuses a taken address', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'create-admin-'));
		try {
			const made = createAdmin(dir, ['first.admin@ind.example', 'First', 'Administrator']);
			expect(made.status, made.stderr).toBe(0);
			const password = /shown only now: (\S+)/.exec(made.stdout)?.[1];
			expect(password).toMatch(/^[a-z2-7]{24}$/);

			const again = createAdmin(dir, ['first.admin@ind.example', 'Someone Else']);
			expect(again.status).toBe(1);
			expect(again.stderr).toContain('email_taken');

			const db = createDatabase({ pgliteDir: dir });
			try {
				const result = await login(db, 'first.admin@ind.example', password!, '10.9.0.1', null);
				expect(result).toMatchObject({ kind: 'second_factor', enrol: true });
				const roles = await db
					.selectFrom('user_role')
					.innerJoin('app_user', 'app_user.id', 'user_role.user_id')
					.select('role')
					.where('app_user.email', '=', 'first.admin@ind.example')
					.execute();
				expect(roles).toEqual([{ role: 'admin' }]);
				const audit = await db
					.selectFrom('audit_event')
					.select(['action', 'actor_role'])
					.where('action', '=', 'admin.staff_created')
					.execute();
				expect(audit).toEqual([{ action: 'admin.staff_created', actor_role: 'system' }]);
			} finally {
				await db.destroy();
			}
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
