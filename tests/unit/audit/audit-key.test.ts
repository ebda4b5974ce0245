import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditKeyError, auditKeyFrom, auditKeyFromEnv } from '$lib/server/audit/audit.key';

describe('AUDIT_KEY', () => {
	it('is required in production, with a message that says what to do', () => {
		expect(() => auditKeyFromEnv({ NODE_ENV: 'production' })).toThrow(AuditKeyError);
		expect(() => auditKeyFromEnv({ NODE_ENV: 'production' })).toThrow(
			/AUDIT_KEY is not set.*openssl rand -base64 32/
		);
		expect(auditKeyFromEnv({ NODE_ENV: 'production', AUDIT_KEY: 'k'.repeat(40) }).id).toMatch(
			/^[0-9a-f]{16}$/
		);
	});

	it('refuses a short key', () => {
		expect(() => auditKeyFrom('short')).toThrow(/at least 32 characters/);
	});

	it('stops the app from starting in production without it', { timeout: 120_000 }, () => {
		const run = spawnSync(
			process.execPath,
			[
				'--import',
				'tsx',
				'--input-type=module',
				'--eval',
				"const { startApp } = await import('./src/lib/server/app.ts'); await startApp();"
			],
			{
				env: {
					...process.env,
					NODE_ENV: 'production',
					ALLOW_EMBEDDED_DATABASE: 'yes',
					AUDIT_KEY: '',
					DATABASE_URL: '',
					PGLITE_DATA_DIR: 'memory'
				},
				encoding: 'utf8'
			}
		);
		expect(run.status).not.toBe(0);
		expect(run.stderr).toContain('AUDIT_KEY is not set');
		expect(run.stdout).not.toContain('Mijn Aanvraag on');
	});

	it('is generated once for the demo, readable only by its owner, and reused', () => {
		const dir = mkdtempSync(join(tmpdir(), 'audit-key-'));
		try {
			const file = join(dir, 'data', 'audit-key');
			const first = auditKeyFromEnv({ AUDIT_KEY_FILE: file });
			expect(statSync(file).mode & 0o777).toBe(0o600);
			expect(readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
			const second = auditKeyFromEnv({ AUDIT_KEY_FILE: file });
			expect(second.id).toBe(first.id);
			expect(Buffer.from(second.secret).equals(Buffer.from(first.secret))).toBe(true);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
