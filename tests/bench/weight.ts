/**
 * The applicant's case page on a first load, in real Chromium against the production build (run
 * `npm run build` first), on a demo history in an embedded database of its own:
 * - what it transfers (the DevTools protocol's encodedDataLength: headers and body as they came
 *   over the wire) and its JavaScript at gzip -9, in every language the page offers. The service
 *   worker's script and its background precache are fetched for the worker, not the page (another
 *   target of the protocol), and are not counted; the worker script's size is reported beside;
 * - Lighthouse (mobile settings, simulated throttling) on the page, signed in through a Cookie header;
 * - installability, as the browser itself judges it (`Page.getInstallabilityErrors`).
 * Budget: ≤ 60 KB of JavaScript (gzip) and ≤ 150 KB in all; performance ≥ 95, accessibility 100,
 * no installability errors.
 */
import { chromium, type CDPSession } from '@playwright/test';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromiumFlags } from '../../playwright.config';

const PORT = Number(process.env.BENCH_PORT ?? 4390);
const BASE = `http://localhost:${PORT}`;
const CASE = 'IND-2026-90000001'; // the demo applicant's asylum case (src/lib/server/demo/pinned.ts)
const EMAIL = 'applicant@demo.test';
const PASSWORD = 'demo-password';
const LIGHTHOUSE_RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 5);
const KB = 1024;
const BUDGET = {
	jsGzipBytes: 60 * KB,
	transferredBytes: 150 * KB,
	performance: 95,
	accessibility: 100
};
const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const FLAGS = chromiumFlags;

interface Resource {
	url: string;
	type: string;
	mimeType: string;
	status: number;
	encoding: string;
	transferred: number;
	gzip9: number | null;
}

interface Load {
	lang: string;
	resources: Resource[];
	transferredBytes: number;
	jsGzipBytes: number;
	jsTransferredBytes: number;
	offeredLanguages: string[];
	installabilityErrors: string[];
}

export default async function run(): Promise<void> {
	if (!existsSync('build/index.js'))
		throw new Error('build/ is missing: run `npm run build` first');
	const dir = mkdtempSync(join(tmpdir(), 'bench-weight-'));
	let server: ChildProcess | undefined;
	try {
		server = await startServer(dir);
		const session = await signIn();
		const path = `/cases/${CASE}`;

		const first = await measure(session, path, 'nl', dir);
		const loads = [first];
		for (const lang of first.offeredLanguages.filter((l) => l !== 'nl'))
			loads.push(await measure(session, path, lang, dir));
		for (const load of loads) print(load);

		const scores: { performance: number; accessibility: number }[] = [];
		const failing = new Set<string>();
		for (let i = 0; i < LIGHTHOUSE_RUNS; i++) {
			const result = await runLighthouse(`${BASE}${path}`, session, dir);
			scores.push(result.scores);
			for (const f of result.failing) failing.add(f);
			console.log(
				`Lighthouse run ${i + 1}: performance ${result.scores.performance}, accessibility ${result.scores.accessibility}`
			);
		}
		for (const f of failing) console.log(`  below full marks: ${f}`);

		const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
		const heaviest = (key: 'jsGzipBytes' | 'transferredBytes') =>
			loads.reduce((a, b) => (b[key] > a[key] ? b : a));
		const js = heaviest('jsGzipBytes');
		const all = heaviest('transferredBytes');
		const figures = {
			page: '/cases/[reference]',
			languages: Object.fromEntries(
				loads.map((l) => [
					l.lang,
					{
						requests: l.resources.length,
						jsGzipKB: round(l.jsGzipBytes / KB),
						transferredKB: round(l.transferredBytes / KB),
						...documentOf(l)
					}
				])
			),
			jsGzipKB: round(js.jsGzipBytes / KB),
			transferredKB: round(all.transferredBytes / KB),
			budgetKB: { js: BUDGET.jsGzipBytes / KB, transferred: BUDGET.transferredBytes / KB },
			lighthouse: {
				runs: scores.length,
				performance: median(scores.map((s) => s.performance)),
				accessibility: Math.min(...scores.map((s) => s.accessibility)),
				performanceRuns: scores.map((s) => s.performance)
			},
			serviceWorkerScriptGzipKB: await serviceWorkerScript(),
			installabilityErrors: first.installabilityErrors,
			pass: false
		};
		figures.pass =
			js.jsGzipBytes <= BUDGET.jsGzipBytes &&
			all.transferredBytes <= BUDGET.transferredBytes &&
			figures.lighthouse.performance >= BUDGET.performance &&
			figures.lighthouse.accessibility >= BUDGET.accessibility &&
			first.installabilityErrors.length === 0;
		console.log(`RESULT ${JSON.stringify(figures)}`);
	} finally {
		if (server && server.exitCode === null) {
			const exited = new Promise((resolve) => server!.once('exit', resolve));
			server.kill('SIGTERM');
			await exited;
		}
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The page itself as served (Node does not compress it) and what gzip -9 would make of it. */
function documentOf(load: Load) {
	const page = load.resources.find((r) => r.type === 'Document');
	return {
		documentKB: round((page?.transferred ?? 0) / KB),
		documentGzipKB: round((page?.gzip9 ?? 0) / KB)
	};
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The production build on a demo history of its own (made at its first start). */
async function startServer(dir: string): Promise<ChildProcess> {
	const child = spawn(process.execPath, ['build'], {
		env: {
			...process.env,
			PORT: String(PORT),
			ORIGIN: BASE,
			NODE_ENV: 'production',
			DATABASE_URL: '',
			ALLOW_EMBEDDED_DATABASE: 'yes',
			PGLITE_DATA_DIR: join(dir, 'pglite'),
			DEMO_MODE: 'on',
			DEMO_SCALE: process.env.BENCH_DEMO_SCALE ?? '0.005',
			AUDIT_KEY: 'bench-audit-key-0123456789abcdef0123456789',
			SMTP_URL: ''
		},
		stdio: ['ignore', 'ignore', 'inherit']
	});
	for (let i = 0; i < 900; i++) {
		if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
		const ok = await fetch(`${BASE}/api/health`)
			.then((r) => r.ok)
			.catch(() => false);
		if (ok) return child;
		await new Promise((r) => setTimeout(r, 200));
	}
	child.kill('SIGTERM');
	throw new Error('the server did not answer its health check within 3 minutes');
}

/** Signs the demo applicant in through the login form; returns the session cookie (name=value). */
async function signIn(): Promise<string> {
	const response = await fetch(`${BASE}/auth/login`, {
		method: 'POST',
		body: new URLSearchParams({ email: EMAIL, password: PASSWORD }),
		headers: { origin: BASE, accept: 'text/html' },
		redirect: 'manual'
	});
	const cookie = response.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.find((c) => c.startsWith('session='));
	if (response.status !== 303 || !cookie)
		throw new Error(`signing in answered ${response.status} without a session`);
	return cookie;
}

/** One first load in a fresh browser profile (empty cache, no service worker yet). */
async function measure(session: string, path: string, lang: string, dir: string): Promise<Load> {
	const profile = mkdtempSync(join(dir, 'profile-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		args: FLAGS,
		viewport: { width: 360, height: 740 }
	});
	try {
		const [name, value] = session.split('=');
		await context.addCookies([
			{ name, value, url: BASE },
			{ name: 'lang', value: lang, url: BASE }
		]);
		const page = context.pages()[0] ?? (await context.newPage());
		const cdp = await context.newCDPSession(page);
		const seen = new Map<string, Resource>();
		cdp.on('Network.responseReceived', ({ requestId, type, response }) => {
			seen.set(requestId, {
				url: response.url,
				type,
				mimeType: response.mimeType,
				status: response.status,
				encoding: headerOf(response.headers, 'content-encoding') ?? '',
				transferred: 0,
				gzip9: null
			});
		});
		const finished = new Map<string, number>();
		cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
			finished.set(requestId, encodedDataLength);
		});
		await cdp.send('Network.enable');
		const response = await page.goto(`${BASE}${path}`, { waitUntil: 'load' });
		if (response?.status() !== 200) throw new Error(`the case page answered ${response?.status()}`);
		await page.waitForLoadState('networkidle');
		const resources: Resource[] = [];
		for (const [id, resource] of seen) {
			if (resource.url.startsWith('data:')) continue;
			resource.transferred = finished.get(id) ?? 0;
			if (resource.type === 'Script' || resource.type === 'Document')
				resource.gzip9 = await gzipSizeOf(cdp, id);
			resources.push(resource);
		}
		const offeredLanguages = await page
			.locator('a[hreflang]')
			.evaluateAll((links) => links.map((a) => a.getAttribute('hreflang') ?? ''));
		const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
			installabilityErrors: { errorId: string }[];
		};
		const scripts = resources.filter((r) => r.type === 'Script');
		return {
			lang,
			resources,
			transferredBytes: sum(resources.map((r) => r.transferred)),
			jsGzipBytes: sum(scripts.map((r) => r.gzip9 ?? 0)),
			jsTransferredBytes: sum(scripts.map((r) => r.transferred)),
			offeredLanguages: offeredLanguages.filter((l) => /^[a-z]{2,3}$/.test(l)),
			installabilityErrors: installabilityErrors.map((e) => e.errorId)
		};
	} finally {
		await context.close();
	}
}

function headerOf(headers: Record<string, string>, name: string): string | undefined {
	return Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
}

async function gzipSizeOf(cdp: CDPSession, requestId: string): Promise<number> {
	const { body, base64Encoded } = await cdp.send('Network.getResponseBody', { requestId });
	return gzipSync(Buffer.from(body, base64Encoded ? 'base64' : 'utf8'), { level: 9 }).length;
}

/** The service worker script's size at gzip -9, in KB; null when the build has none. */
async function serviceWorkerScript(): Promise<number | null> {
	const response = await fetch(`${BASE}/service-worker.js`);
	if (!response.ok) return null;
	return round(gzipSync(Buffer.from(await response.arrayBuffer()), { level: 9 }).length / KB);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function print(load: Load): void {
	console.log(
		`\n${load.lang}: ${load.resources.length} requests, ${round(load.transferredBytes / KB)} KB transferred; ` +
			`JavaScript ${round(load.jsGzipBytes / KB)} KB at gzip -9 (${round(load.jsTransferredBytes / KB)} KB transferred)`
	);
	for (const r of load.resources)
		console.log(
			`  ${r.type.padEnd(10)} ${String(round(r.transferred / KB)).padStart(6)} KB` +
				`${r.gzip9 === null ? '' : ` (gzip -9 ${round(r.gzip9 / KB)} KB)`}` +
				`${r.encoding ? ` ${r.encoding}` : ''}  ${r.url.replace(BASE, '')}`
		);
}

/** One Lighthouse run, mobile settings (its default), signed in through a Cookie header. */
async function runLighthouse(url: string, session: string, dir: string) {
	const chrome = await chromeLauncher.launch({
		chromePath: CHROMIUM,
		chromeFlags: ['--headless=new', ...FLAGS],
		userDataDir: mkdtempSync(join(dir, 'lighthouse-'))
	});
	try {
		const result = await lighthouse(url, {
			port: chrome.port,
			output: 'json',
			logLevel: 'error',
			onlyCategories: ['performance', 'accessibility'],
			extraHeaders: { Cookie: `${session}; lang=nl` }
		});
		if (!result) throw new Error('Lighthouse returned no result');
		const { lhr } = result;
		// The whole report, to read what Lighthouse found: BENCH_LIGHTHOUSE_REPORT=/tmp/lhr.json
		if (process.env.BENCH_LIGHTHOUSE_REPORT)
			writeFileSync(process.env.BENCH_LIGHTHOUSE_REPORT, JSON.stringify(lhr, null, 1));
		if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.message}`);
		if (!lhr.finalDisplayedUrl.endsWith(new URL(url).pathname))
			throw new Error(`Lighthouse ended on ${lhr.finalDisplayedUrl}, not the case page`);
		const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
		const failing: string[] = [];
		for (const id of ['performance', 'accessibility'])
			for (const ref of lhr.categories[id].auditRefs) {
				const audit = lhr.audits[ref.id];
				if (ref.weight > 0 && audit.score !== null && audit.score < 1)
					failing.push(
						`${id}/${ref.id} ${audit.score}${audit.displayValue ? ` (${audit.displayValue})` : ''}`
					);
			}
		return {
			scores: { performance: score('performance'), accessibility: score('accessibility') },
			failing
		};
	} finally {
		chrome.kill();
	}
}
