import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD } from '../support/auth';

function start(port: number, dir: string, extra: NodeJS.ProcessEnv) {
	const server = spawn(process.execPath, ['build'], {
		env: {
			...process.env,
			PORT: String(port),
			ORIGIN: `http://localhost:${port}`,
			PGLITE_DATA_DIR: join(dir, 'pglite'),
			DATABASE_URL: '',
			DEMO_SEED: '',
			...extra
		},
		stdio: 'pipe'
	});
	let output = '';
	server.stdout.on('data', (chunk) => (output += chunk));
	server.stderr.on('data', (chunk) => (output += chunk));
	const exited = new Promise<number | null>((resolve) =>
		server.on('exit', (code) => resolve(code))
	);
	return { server, exited, output: () => output };
}

test('in production the server refuses to start on the embedded database unless an operator overrides it', async () => {
	test.setTimeout(60_000);
	const dir = mkdtempSync(join(tmpdir(), 'startup-'));
	const { server, exited, output } = start(4197, dir, {
		NODE_ENV: 'production',
		ALLOW_EMBEDDED_DATABASE: ''
	});
	try {
		const code = await Promise.race([
			exited,
			new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 45_000))
		]);
		expect(code).not.toBe('running');
		expect(code).not.toBe(0);
		expect(output()).toContain('Refusing to start');
		expect(output()).not.toContain('Demo API key');
	} finally {
		server.kill('SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	}
});

test('in production with the override, an empty embedded database gets no demo accounts and no printed key', async () => {
	test.setTimeout(180_000);
	const dir = mkdtempSync(join(tmpdir(), 'startup-'));
	const port = 4198;
	const { server, output } = start(port, dir, {
		NODE_ENV: 'production',
		ALLOW_EMBEDDED_DATABASE: 'yes',
		AUDIT_KEY: 'e2e-audit-key-0123456789abcdef0123456789'
	});
	try {
		await expect
			.poll(
				async () => (await fetch(`http://localhost:${port}/api/health`).catch(() => null))?.status,
				{ timeout: 150_000 }
			)
			.toBe(200);
		const login = await fetch(`http://localhost:${port}/auth/login`, {
			method: 'POST',
			redirect: 'manual',
			headers: {
				Origin: `http://localhost:${port}`,
				Accept: 'text/html',
				'Content-Type': 'application/x-www-form-urlencoded'
			},
			body: new URLSearchParams({ email: 'admin@demo.test', password: DEMO_PASSWORD })
		});
		expect(login.status).toBe(400);
		expect(output()).not.toContain('Demo API key');
		expect(output()).not.toContain('generating demo data');
	} finally {
		server.kill('SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	}
});
