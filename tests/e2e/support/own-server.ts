/**
 * A server of a spec's own, on an embedded database of its own, in demo mode (the demo history,
 * accounts and planning are made at its first start). For tests that need settings other than the
 * suite's server (serve.ts) has, or that work on the database between requests: the embedded
 * database belongs to one process at a time, so `withDatabase` stops the server first.
 */
import { expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type Db } from '../../../src/lib/server/db';

export interface OwnServer {
	/** The server's address, for `test.use({ baseURL })`. */
	base: string;
	/** Starts the server (again) and waits until it answers its health check. */
	start(): Promise<void>;
	stop(): Promise<void>;
	/** Works on the server's database while the server is stopped; `start` it again afterwards. */
	withDatabase<T>(work: (db: Db) => Promise<T>): Promise<T>;
	/** Stops the server and deletes its database. */
	remove(): Promise<void>;
}

/**
 * `slot` tells the specs' servers apart: each slot has seven ports, one per value of E2E_PORT
 * modulo 7, so that runs with different E2E_PORTs on one machine do not meet either.
 */
export function ownServer(slot: number, settings: NodeJS.ProcessEnv = {}): OwnServer {
	const port = 4253 + 7 * slot + (Number(process.env.E2E_PORT ?? 4173) % 7);
	const base = `http://localhost:${port}`;
	// Made at the first start: Playwright also loads spec files only to list their tests.
	let dir: string | null = null;
	const pgliteDir = () =>
		join((dir ??= mkdtempSync(join(tmpdir(), `own-server-${slot}-`))), 'pglite');
	let server: ChildProcess | null = null;
	let output = '';

	async function start(): Promise<void> {
		const env: NodeJS.ProcessEnv = {
			...process.env,
			PORT: String(port),
			ORIGIN: base,
			PGLITE_DATA_DIR: pgliteDir(),
			DATABASE_URL: '',
			NODE_ENV: 'development',
			DEMO_MODE: 'on',
			DEMO_SCALE: '0.002',
			SMTP_URL: '',
			...settings
		};
		const child = spawn(process.execPath, ['build'], { env, stdio: 'pipe' });
		child.stdout!.on('data', (chunk) => (output += chunk));
		child.stderr!.on('data', (chunk) => (output += chunk));
		server = child;
		try {
			await expect
				.poll(async () => (await fetch(`${base}/api/health`).catch(() => null))?.status, {
					timeout: 150_000
				})
				.toBe(200);
		} catch (e) {
			throw new Error(`the server on ${base} did not start:\n${output}`, { cause: e });
		}
	}

	async function stop(): Promise<void> {
		const child = server;
		server = null;
		if (!child || child.exitCode !== null) return;
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGTERM');
		await exited;
	}

	return {
		base,
		start,
		stop,
		async withDatabase(work) {
			await stop();
			const db = createDatabase({ pgliteDir: pgliteDir() });
			try {
				return await work(db);
			} finally {
				await db.destroy();
			}
		},
		async remove() {
			await stop();
			if (dir) rmSync(dir, { recursive: true, force: true });
		}
	};
}
