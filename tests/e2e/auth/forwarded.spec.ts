import { expect, test, request as requestFactory } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The built server as it runs behind a load balancer: the client's address comes from
 * X-Forwarded-For (ADDRESS_HEADER, XFF_DEPTH=1: the address the balancer appended), the scheme
 * and host from X-Forwarded-Proto and X-Forwarded-Host. Without ADDRESS_HEADER every person
 * would share the balancer's address, and 50 failures would lock everyone out.
 */
const port = 4212;
const base = `http://localhost:${port}`;

test('behind a load balancer, two forwarded client addresses are throttled apart; over https the session cookie is __Host-session', async () => {
	test.setTimeout(180_000);
	const dir = mkdtempSync(join(tmpdir(), 'forwarded-'));
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PORT: String(port),
		ADDRESS_HEADER: 'X-Forwarded-For',
		XFF_DEPTH: '1',
		PROTOCOL_HEADER: 'x-forwarded-proto',
		HOST_HEADER: 'x-forwarded-host',
		PGLITE_DATA_DIR: join(dir, 'pglite'),
		DATABASE_URL: '',
		NODE_ENV: 'development',
		DEMO_MODE: 'on',
		DEMO_SCALE: '0.005',
		SMTP_URL: ''
	};
	// The origin comes from the forwarded headers, as behind a balancer that serves several names.
	delete env.ORIGIN;
	const server = spawn(process.execPath, ['build'], { env, stdio: 'pipe' });
	let output = '';
	server.stdout.on('data', (chunk) => (output += chunk));
	server.stderr.on('data', (chunk) => (output += chunk));
	try {
		await expect
			.poll(
				async () =>
					(
						await fetch(`${base}/api/health`, {
							headers: { 'x-forwarded-for': '192.0.2.1' }
						}).catch(() => null)
					)?.status,
				{ timeout: 150_000, message: output }
			)
			.toBe(200);
		const http = await requestFactory.newContext({ baseURL: base, maxRedirects: 0 });
		const attempt = (
			ip: string,
			email = 'nobody@example.test',
			password = 'not the password',
			proto = 'http'
		) =>
			http.post('/auth/login', {
				form: { email, password },
				headers: {
					Accept: 'text/html',
					'X-Forwarded-For': ip,
					'X-Forwarded-Proto': proto,
					'X-Forwarded-Host': `localhost:${port}`,
					Origin: `${proto}://localhost:${port}`
				}
			});

		for (let i = 0; i < 5; i++) expect((await attempt('203.0.113.7')).status()).toBe(400);
		expect((await attempt('203.0.113.7')).status(), 'the same address after its 5 failures').toBe(
			429
		);
		expect(
			(await attempt('198.51.100.9')).status(),
			'another client behind the same balancer'
		).toBe(400);

		const signedIn = await attempt(
			'198.51.100.10',
			'applicant@demo.test',
			'demo-password',
			'https'
		);
		expect(signedIn.status()).toBe(303);
		const cookie =
			signedIn
				.headersArray()
				.find((h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith('__Host-session='))
				?.value ?? '';
		expect(cookie, 'a __Host-session cookie').not.toBe('');
		expect(cookie).toMatch(/; Path=\/(;|$)/);
		expect(cookie).toMatch(/; Secure(;|$)/);
		expect(cookie).toMatch(/; HttpOnly(;|$)/);
		expect(cookie).not.toMatch(/Domain=/i);

		const plain = await attempt('198.51.100.11', 'applicant@demo.test', 'demo-password', 'http');
		expect(
			plain
				.headersArray()
				.some((h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith('session='))
		).toBe(true);
		await http.dispose();
	} finally {
		server.kill('SIGTERM');
		await new Promise((r) => setTimeout(r, 1000));
		server.kill('SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	}
});
