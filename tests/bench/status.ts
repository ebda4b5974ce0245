/**
 * HTTP load on the applicant's case page with 1,000,000 cases waiting in one queue on
 * PostgreSQL: signed-in applicants, each asking for their own case, against the production
 * build (run `npm run build` first). Load from autocannon in this process, 32 connections.
 * Target: the case page's throughput at least 0.45 of a bare page's (same build, same HTML size,
 * no database), measured in turns in one run; 1,000 requests/s is the stretch goal.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createSession, generateToken } from '../../src/lib/server/auth/session';
import { benchDatabaseUrl, fillOneQueue, freshPostgres } from './support/databases';
import { cpuBetween, cpuReading, postmasterOf } from './support/cpu';

const WAITING = Number(process.env.BENCH_WAITING ?? 1_000_000);
const USERS = Number(process.env.BENCH_USERS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PORT = 4380;
/**
 * Case page and bare page take turns this many times. The machine's speed drifts by 10% and more
 * over seconds (other virtual machines on the host): short turns let both pages see the same drift.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
/** BENCH_PAGES=case or =bare loads one page alone, e.g. to profile it (`BENCH_PROFILE=dir`). */
const PAGES: ('case' | 'bare')[] =
	process.env.BENCH_PAGES === 'case' || process.env.BENCH_PAGES === 'bare'
		? [process.env.BENCH_PAGES]
		: ['case', 'bare'];
/** A page of the same build that touches no database: no session cookie, no query. */
const BARE_PATH = process.env.BENCH_BARE_PATH ?? '/how-we-calculate';

export default async function run(): Promise<void> {
	const url = benchDatabaseUrl();
	if (!url) {
		console.log(
			'The status bench needs PostgreSQL: set BENCH_DATABASE_URL (or TEST_DATABASE_URL).'
		);
		console.log(`RESULT ${JSON.stringify({ skipped: 'no PostgreSQL' })}`);
		return;
	}
	if (!existsSync('build/index.js'))
		throw new Error('build/ is missing: run `npm run build` first');
	const handle = await freshPostgres(url, 'bench_status');
	const { db } = handle;
	let server: ReturnType<typeof spawn> | undefined;
	try {
		console.log(`Writing ${WAITING.toLocaleString('en')} waiting cases…`);
		await fillOneQueue(db, { waiting: WAITING, left: Math.round(WAITING / 10), now: new Date() });
		// Writing the cases leaves gigabytes to flush: flushed now, not while the pages are measured.
		await sql`checkpoint`.execute(db);

		// Applicants spread over the whole queue, each with a signed-in session.
		const sample = await sql<{ applicant_id: number; reference: string }>`
			select c.applicant_id, c.reference from "case" c join queue_entry q on q.case_id = c.id
			where q.left_at is null order by random() limit ${USERS}`.execute(db);
		const sessions: { cookie: string; path: string }[] = [];
		for (const [i, row] of sample.rows.entries()) {
			const user = await db
				.insertInto('app_user')
				.values({
					email: `bench-${i}@example.test`,
					password_hash: 'not-used',
					display_name: `Bench ${i}`,
					kind: 'applicant',
					applicant_id: row.applicant_id
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			const token = generateToken();
			await createSession(db, token, user.id, 'applicant', 'autocannon');
			sessions.push({ cookie: `session=${token}`, path: `/cases/${row.reference}` });
		}

		const instances = Number(process.env.BENCH_INSTANCES ?? 1);
		const entry = instances > 1 ? 'tests/bench/support/cluster.js' : 'build';
		server = spawn(
			process.execPath,
			[
				...(process.env.BENCH_PROFILE
					? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
					: []),
				entry
			],
			{
				env: {
					...process.env,
					DATABASE_URL: handle.url,
					PORT: String(PORT),
					ORIGIN: `http://localhost:${PORT}`,
					NODE_ENV: 'production',
					AUDIT_KEY: process.env.AUDIT_KEY || randomBytes(32).toString('base64'),
					INSTANCES: String(instances),
					...(process.env.BENCH_POOL ? { DATABASE_POOL_SIZE: process.env.BENCH_POOL } : {})
				},
				stdio: ['ignore', 'ignore', 'inherit']
			}
		);
		for (let i = 0; i < 100; i++) {
			const ok = await fetch(`http://localhost:${PORT}/api/health`)
				.then((r) => r.ok)
				.catch(() => false);
			if (ok) break;
			await new Promise((r) => setTimeout(r, 200));
		}
		const check = await fetch(`http://localhost:${PORT}${sessions[0].path}`, {
			headers: { cookie: sessions[0].cookie }
		});
		const html = await check.text();
		if (check.status !== 200 || !html.includes(sample.rows[0].reference))
			throw new Error(`the case page answered ${check.status}`);
		const position = /number ([\d,.]+) of/.exec(html)?.[1] ?? /nummer ([\d.]+) van/.exec(html)?.[1];
		console.log(`Case page check: 200, position ${position} shown`);

		const bareCheck = await fetch(`http://localhost:${PORT}${BARE_PATH}`, {
			headers: { 'accept-language': 'nl' }
		});
		const bareHtml = await bareCheck.text();
		if (bareCheck.status !== 200) throw new Error(`the bare page answered ${bareCheck.status}`);
		console.log(
			`HTML: case page ${html.length} characters, bare page (${BARE_PATH}) ${bareHtml.length}`
		);

		let next = 0;
		const load = (duration: number, bare: boolean) =>
			autocannon({
				url: `http://localhost:${PORT}`,
				connections: CONNECTIONS,
				duration,
				requests: [
					{
						setupRequest: (request) => {
							const s = sessions[next++ % sessions.length];
							return bare
								? {
										...request,
										method: 'GET',
										path: BARE_PATH,
										headers: { 'accept-language': 'nl' }
									}
								: {
										...request,
										method: 'GET',
										path: process.env.BENCH_PATH ?? s.path,
										headers: { cookie: s.cookie, 'accept-language': 'nl' }
									};
						}
					}
				]
			});
		// Warm-up in the same turns as the measurement: the case page's first turn after the bare
		// page's was a third slower than its later ones while the heap settled.
		for (let round = 0; round < 2; round++)
			for (const page of PAGES) await load(3, page === 'bare');
		// Case page and bare page take turns, so that a change in the machine's load between them
		// touches both alike; the ratio of their throughputs is the figure to compare across runs.
		const rounds: { case: autocannon.Result[]; bare: autocannon.Result[] } = { case: [], bare: [] };
		const cpu = { case: { servers: 0, postgres: 0 }, bare: { servers: 0, postgres: 0 } };
		const postmaster = await postmasterOf(db);
		for (let round = 0; round < ROUNDS; round++)
			for (const page of PAGES) {
				const before = cpuReading([server], postmaster);
				const result = await load(SECONDS / ROUNDS, page === 'bare');
				rounds[page].push(result);
				console.log(
					`round ${round + 1} ${page}: ${Math.round(result.requests.total / result.duration)} requests/s`
				);
				const used = cpuBetween(before, cpuReading([server], postmaster));
				cpu[page].servers += used.servers;
				cpu[page].postgres += used.postgres;
			}
		const total = (results: autocannon.Result[]) =>
			results.reduce((sum, r) => sum + r.requests.total, 0);
		const perRequest = (page: 'case' | 'bare') => ({
			server: Number((cpu[page].servers / total(rounds[page])).toFixed(2)),
			postgres: Number((cpu[page].postgres / total(rounds[page])).toFixed(2))
		});
		const perSecond = (results: autocannon.Result[]) =>
			results.reduce((sum, r) => sum + r.requests.total, 0) /
			results.reduce((sum, r) => sum + r.duration, 0);
		const worstP99 = (results: autocannon.Result[]) =>
			Math.max(...results.map((r) => r.latency.p99));
		const casePerSecond = perSecond(rounds.case);
		const barePerSecond = perSecond(rounds.bare);
		const figures = {
			waiting: WAITING,
			instances,
			sessions: sessions.length,
			connections: CONNECTIONS,
			seconds: SECONDS,
			requestsPerSecond: Math.round(casePerSecond),
			latencyP50Ms: Math.max(...rounds.case.map((r) => r.latency.p50)),
			latencyP99Ms: worstP99(rounds.case),
			bareRequestsPerSecond: Math.round(barePerSecond),
			bareLatencyP99Ms: worstP99(rounds.bare),
			ratio: Number((casePerSecond / barePerSecond).toFixed(3)),
			// Each turn of the case page against the bare page's next turn: a slow spell of the
			// machine shows as one low or high pair here, where it moves the pooled ratio.
			pairRatios: rounds.case.map((r, i) =>
				Number((perSecond([r]) / perSecond([rounds.bare[i] ?? r])).toFixed(3))
			),
			cpuMsPerRequest: { case: perRequest('case'), bare: perRequest('bare') },
			caseHtmlChars: html.length,
			bareHtmlChars: bareHtml.length,
			non2xx: [...rounds.case, ...rounds.bare].reduce((sum, r) => sum + r.non2xx, 0),
			errors: [...rounds.case, ...rounds.bare].reduce((sum, r) => sum + r.errors, 0)
		};
		console.log(
			`case page ${figures.requestsPerSecond} requests/s (p99 ${figures.latencyP99Ms} ms), bare page ${figures.bareRequestsPerSecond} requests/s (p99 ${figures.bareLatencyP99Ms} ms): ratio ${figures.ratio}; non-2xx ${figures.non2xx}, errors ${figures.errors}`
		);
		console.log(`RESULT ${JSON.stringify(figures)}`);
	} finally {
		server?.kill('SIGTERM');
		await new Promise((r) => setTimeout(r, 1000));
		await handle.drop();
	}
}
