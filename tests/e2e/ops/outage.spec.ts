import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { TcpProxy, type ProxyMode } from '../support/tcp-proxy';
import { apiKey } from '../support/api';
import { DEMO_PASSWORD } from '../support/auth';
import { readFileSync } from 'node:fs';
import { e2eAppDatabaseUrlFile } from '../support/paths';

/**
 * PostgreSQL goes away under load, first refusing connections and then hanging (it accepts and
 * never answers), 30 s each, between a second app instance and the end-to-end database. Every
 * request must be answered within 5 s, with 503 and nothing worse; no event may be lost or
 * half-stored; and the app must recover by itself.
 */

const databaseUrl = process.env.E2E_DATABASE_URL;
test.skip(!databaseUrl, 'runs on PostgreSQL only: set E2E_DATABASE_URL');

const PORT = 4215;
const ORIGIN = `http://localhost:${PORT}`;
const WARM_MS = 6_000;
const OUTAGE_MS = 30_000;
const RECOVERY_MS = 15_000;
const LIMIT_MS = 5_000;
const PHASES: Array<[ProxyMode, number]> = [
	['pass', WARM_MS],
	['refuse', OUTAGE_MS],
	['hang', OUTAGE_MS],
	['pass', RECOVERY_MS]
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Tally {
	requests: number;
	byStatus: Map<number | string, number>;
	slow: number;
	maxMs: number;
}

const tally = (): Tally => ({ requests: 0, byStatus: new Map(), slow: 0, maxMs: 0 });

function count(t: Tally, status: number | string, ms: number): void {
	t.requests += 1;
	t.byStatus.set(status, (t.byStatus.get(status) ?? 0) + 1);
	t.maxMs = Math.max(t.maxMs, ms);
	if (ms > LIMIT_MS) t.slow += 1;
}

/** Answers other than 2xx, 3xx, 4xx and 503: other 5xx, and failures without an answer. */
const unexpected = (t: Tally) =>
	[...t.byStatus]
		.filter(([s]) => typeof s !== 'number' || (s >= 500 && s !== 503))
		.reduce((n, [, c]) => n + c, 0);

async function timedFetch(t: Tally, url: string, init: RequestInit = {}): Promise<Response | null> {
	const began = Date.now();
	try {
		const response = await fetch(url, {
			redirect: 'manual',
			...init,
			signal: AbortSignal.timeout(15_000)
		});
		await response.clone().arrayBuffer();
		count(t, response.status, Date.now() - began);
		return response;
	} catch (error) {
		count(t, `network: ${(error as Error).name}`, Date.now() - began);
		return null;
	}
}

const CASES_PER_BATCH = 5;

function caseEvents(reference: string, vNumber: string) {
	const occurredAt = new Date().toISOString();
	return [
		{
			id: randomUUID(),
			type: 'case.submitted',
			occurredAt,
			case: reference,
			data: {
				product: 'studie',
				vNumber,
				applicant: { name: 'Outage Test', birthDate: '1995-02-03', language: 'en' }
			}
		},
		{
			id: randomUUID(),
			type: 'case.stage_entered',
			occurredAt,
			case: reference,
			data: { stage: 'assessment' }
		}
	];
}

test('answers within 5 s with 503 while PostgreSQL refuses and hangs, loses no event, and recovers by itself', async () => {
	test.setTimeout(240_000);
	const direct = new pg.Client({ connectionString: databaseUrl });
	await direct.connect();
	const target = new URL(databaseUrl!);
	const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
	// Its own mail server: the second instance runs the e-mail job too, through the outage.
	const smtp = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onData: (stream, _session, done) => stream.on('end', () => done()).resume()
	});
	await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
	let server: ChildProcess | undefined;
	let output = '';
	try {
		server = spawn(process.execPath, ['build'], {
			env: {
				...process.env,
				PORT: String(PORT),
				ORIGIN,
				// As the app role, like the end-to-end server: pg-boss's schema is that role's.
				DATABASE_URL: proxy.urlFor(readFileSync(e2eAppDatabaseUrlFile, 'utf8')),
				NODE_ENV: 'production',
				AUDIT_KEY: process.env.AUDIT_KEY || 'e2e-audit-key-0123456789abcdef0123456789',
				DEMO_SEED: 'off',
				SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`
			},
			stdio: 'pipe'
		});
		server.stdout!.on('data', (chunk) => (output += chunk));
		server.stderr!.on('data', (chunk) => (output += chunk));
		await expect
			.poll(async () => (await fetch(`${ORIGIN}/api/health`).catch(() => null))?.status, {
				timeout: 60_000
			})
			.toBe(200);

		// A signed-in applicant and their case.
		const login = await fetch(`${ORIGIN}/auth/login`, {
			method: 'POST',
			redirect: 'manual',
			headers: {
				Origin: ORIGIN,
				Accept: 'text/html',
				'Content-Type': 'application/x-www-form-urlencoded'
			},
			body: new URLSearchParams({ email: 'applicant@demo.test', password: DEMO_PASSWORD })
		});
		expect(login.status).toBe(303);
		const cookie = [...login.headers.getSetCookie().map((c) => c.split(';')[0]), 'lang=en'].join(
			'; '
		);
		const { rows } = await direct.query<{ reference: string }>(
			`select c.reference from "case" c join app_user u on u.applicant_id = c.applicant_id where u.email = 'applicant@demo.test' order by c.id limit 1`
		);
		const casePage = `${ORIGIN}/cases/${rows[0].reference}`;
		expect((await fetch(casePage, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
		// The statistics are computed once before the outage; afterwards they are served from memory.
		expect((await fetch(`${ORIGIN}/statistics`)).status).toBe(200);

		const began = Date.now();
		const total = PHASES.reduce((sum, [, ms]) => sum + ms, 0);
		const until = began + total;
		let recoveredAt: number | null = null;
		let databaseBackAt = 0;

		// The proxy's script.
		const script = (async () => {
			for (const [mode, ms] of PHASES) {
				proxy.setMode(mode);
				if (mode === 'pass' && Date.now() > began + 1000) databaseBackAt = Date.now();
				await sleep(ms);
			}
		})();

		// Load on the case page.
		const page = tally();
		const load = new Promise<autocannon.Result>((resolve, reject) => {
			const instance = autocannon(
				{
					url: casePage,
					headers: { cookie },
					connections: 4,
					overallRate: 20,
					duration: total / 1000,
					timeout: 15
				},
				(error, result) => (error ? reject(error) : resolve(result))
			);
			instance.on('response', ((_client: unknown, status: number, _bytes: number, ms: number) =>
				count(page, status, ms)) as never);
		});

		// The case system feeds events and sends again what was answered 503 or not answered at all.
		const api = tally();
		const sent: string[] = [];
		const references: string[] = [];
		let refusedBatches = 0;
		let batches = 0;
		// A batch answered 503 (or not at all) that had been stored all the same: its replay reports duplicates.
		let storedDespiteNoAnswer = 0;
		const key = apiKey();
		const feed = (async () => {
			let next = randomInt(10_000_000, 80_000_000);
			while (Date.now() < until) {
				const events = Array.from({ length: CASES_PER_BATCH }, () => {
					next += 1;
					references.push(`IND-2026-${next}`);
					return caseEvents(`IND-2026-${next}`, String(3_000_000_000 + next));
				}).flat();
				sent.push(...events.map((e) => e.id));
				batches += 1;
				for (let attempt = 0; ; attempt += 1) {
					const response = await timedFetch(api, `${ORIGIN}/api/v1/events`, {
						method: 'POST',
						headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
						body: JSON.stringify({ events })
					});
					if (response?.status === 200) {
						if (attempt > 0 && (await response.json()).duplicates > 0) storedDespiteNoAnswer += 1;
						break;
					}
					if (response && response.status !== 503) {
						refusedBatches += 1;
						console.error(`batch ${batches}: ${response.status} ${await response.text()}`);
						break;
					}
					if (response) expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
					await sleep(500);
				}
				await sleep(150);
			}
		})();

		// What a person and a monitor see in each phase, and when the case page works again.
		const probes = tally();
		const seen: Array<{
			at: number;
			path: string;
			status: number | null;
			retryAfter: string | null;
			problem?: string;
			text?: boolean;
		}> = [];
		const watch = (async () => {
			while (Date.now() < until) {
				const at = Math.round((Date.now() - began) / 1000);
				const health = await timedFetch(probes, `${ORIGIN}/api/health`);
				seen.push({
					at,
					path: 'health',
					status: health?.status ?? null,
					retryAfter: health?.headers.get('retry-after') ?? null,
					problem: health && (await health.json()).database?.problem
				});
				const stats = await timedFetch(probes, `${ORIGIN}/statistics`);
				seen.push({ at, path: 'statistics', status: stats?.status ?? null, retryAfter: null });
				const mine = await timedFetch(probes, casePage, { headers: { cookie } });
				const body = mine ? await mine.text() : '';
				seen.push({
					at,
					path: 'case',
					status: mine?.status ?? null,
					retryAfter: mine?.headers.get('retry-after') ?? null,
					text: body.includes('temporarily unavailable')
				});
				if (databaseBackAt && recoveredAt === null && mine?.status === 200)
					recoveredAt = Date.now();
				await sleep(databaseBackAt ? 250 : 2000);
			}
		})();

		const [result] = await Promise.all([load, script, watch]);
		await feed;
		expect(server.exitCode).toBeNull();

		// Every event id sent is stored exactly once, and every case is whole.
		const stored = await direct.query<{ id: string }>(
			'select id from case_event where id = any($1::uuid[])',
			[sent]
		);
		const storedIds = new Set(stored.rows.map((r) => r.id));
		const cases = await direct.query<{ reference: string; stage_code: string; events: number }>(
			`select c.reference, c.stage_code, (select count(*)::int from case_event e where e.case_id = c.id) as events
			from "case" c where c.reference = any($1::text[])`,
			[references]
		);
		const whole = cases.rows.filter((c) => c.stage_code === 'assessment' && c.events === 2).length;

		const show = (t: Tally) =>
			Object.fromEntries([...t.byStatus].sort(([a], [b]) => String(a).localeCompare(String(b))));
		const report = {
			casePage: {
				requests: page.requests,
				statuses: show(page),
				maxMs: page.maxMs,
				slowerThan5s: page.slow,
				autocannonErrors: result.errors,
				timeouts: result.timeouts
			},
			eventApi: {
				requests: api.requests,
				statuses: show(api),
				maxMs: api.maxMs,
				slowerThan5s: api.slow,
				batches,
				refusedBatches,
				storedDespiteNoAnswer
			},
			events: {
				sent: sent.length,
				stored: stored.rows.length,
				distinctStored: storedIds.size,
				casesWhole: whole,
				cases: references.length
			},
			probes: { requests: probes.requests, statuses: show(probes), maxMs: probes.maxMs },
			recoveredAfterMs: recoveredAt === null ? null : recoveredAt - databaseBackAt
		};
		console.log(`OUTAGE ${JSON.stringify(report)}`);
		console.log(
			seen
				.map(
					(s) =>
						`${s.at}s ${s.path} ${s.status}${s.retryAfter ? ` Retry-After ${s.retryAfter}` : ''}${s.problem ? ` ${s.problem}` : ''}${s.text ? ' (message)' : ''}`
				)
				.join('\n')
		);

		for (const t of [page, api, probes]) {
			expect(t.slow, 'requests slower than 5 s').toBe(0);
			expect(unexpected(t), '5xx other than 503, or no answer').toBe(0);
		}
		expect(result.errors + result.timeouts).toBe(0);
		// A person whose session cannot be checked is neither sent to sign in nor let through.
		expect([...page.byStatus.keys()].every((s) => s === 200 || s === 503)).toBe(true);
		expect(page.byStatus.get(503) ?? 0).toBeGreaterThan(0);
		expect(refusedBatches).toBe(0);
		expect(stored.rows.length).toBe(sent.length);
		expect(storedIds.size).toBe(sent.length);
		expect(whole).toBe(references.length);
		// Each outage was seen for what it is, and the statistics stayed up throughout.
		const during = (mode: 'refuse' | 'hang') => {
			const from = (mode === 'refuse' ? WARM_MS : WARM_MS + OUTAGE_MS) / 1000 + 3;
			return seen.filter((s) => s.at >= from && s.at <= from + OUTAGE_MS / 1000 - 6);
		};
		for (const mode of ['refuse', 'hang'] as const) {
			const phase = during(mode);
			expect(phase.length).toBeGreaterThan(0);
			for (const s of phase.filter((p) => p.path === 'health'))
				expect(s).toMatchObject({
					status: 503,
					retryAfter: /^\d+$/.test(s.retryAfter ?? '') ? s.retryAfter : 'a number'
				});
			expect(phase.filter((p) => p.path === 'health').map((p) => p.problem)).toContain(
				mode === 'refuse' ? 'unreachable' : 'timeout'
			);
			for (const s of phase.filter((p) => p.path === 'statistics')) expect(s.status).toBe(200);
			for (const s of phase.filter((p) => p.path === 'case'))
				expect(s).toMatchObject({ status: 503, text: true });
		}
		expect(
			recoveredAt,
			'the case page answers 200 again after the database returns'
		).not.toBeNull();
		expect(recoveredAt! - databaseBackAt).toBeLessThan(10_000);
		expect(server.exitCode).toBeNull();
	} catch (error) {
		console.log(`second instance's output (last 4000 characters):\n${output.slice(-4000)}`);
		throw error;
	} finally {
		server?.kill('SIGTERM');
		await proxy.close();
		await direct.end();
		smtp.close();
	}
});
