import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('the production server stops within 5 seconds of SIGTERM, with its database closed', async () => {
	test.setTimeout(90_000);
	const dir = mkdtempSync(join(tmpdir(), 'shutdown-'));
	const port = 4199;
	const server = spawn(process.execPath, ['build'], {
		env: {
			...process.env,
			PORT: String(port),
			ORIGIN: `http://localhost:${port}`,
			PGLITE_DATA_DIR: join(dir, 'pglite'),
			DATABASE_URL: '',
			DEMO_SEED: 'off'
		},
		stdio: 'pipe'
	});
	let output = '';
	server.stdout.on('data', (chunk) => (output += chunk));
	try {
		await expect
			.poll(
				async () => (await fetch(`http://localhost:${port}/api/health`).catch(() => null))?.status,
				{ timeout: 60_000 }
			)
			.toBe(200);
		const began = Date.now();
		const exited = new Promise<number | null>((resolve) =>
			server.on('exit', (code) => resolve(code))
		);
		server.kill('SIGTERM');
		const code = await exited;
		expect(Date.now() - began).toBeLessThan(5_000);
		expect(code).toBe(0);
		expect(output).toContain('Database closed.');
	} finally {
		server.kill('SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	}
});
