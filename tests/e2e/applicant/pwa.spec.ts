import { chromium, expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectNoAxeViolations } from '../support/a11y';
import { signIn } from '../support/auth';

const CASE = 'IND-2026-90000001';
const phone = { width: 360, height: 740 };

/** The addresses of the pages kept in the service worker's caches for personal pages. */
function keptPages(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		const kept: string[] = [];
		for (const name of await caches.keys())
			if (name.startsWith('personal-pages-'))
				for (const request of await (await caches.open(name)).keys()) kept.push(request.url);
		return kept;
	});
}

/** Signs the applicant in and opens their case once, online; waits until the device keeps it. */
async function visitCaseOnline(page: Page): Promise<void> {
	await signIn(page, 'applicant@demo.test');
	await page.goto(`/cases/${CASE}?lang=en`);
	await page.evaluate(() => navigator.serviceWorker.ready);
	await expect.poll(() => keptPages(page)).toContain(new URL(`/cases/${CASE}`, page.url()).href);
}

test.use({ viewport: phone, serviceWorkers: 'allow' });

test('the install criteria are met: a valid manifest and a registered service worker', async ({
	baseURL
}, testInfo) => {
	// Chromium refuses to install from an incognito profile, which a normal test context is.
	const profile = mkdtempSync(join(tmpdir(), 'pwa-profile-'));
	const context = await chromium.launchPersistentContext(profile, {
		...testInfo.project.use.launchOptions,
		baseURL,
		viewport: phone
	});
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		await page.goto('/statistics?lang=en');
		const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
		expect(new URL(scope).pathname).toBe('/');
		const cdp = await context.newCDPSession(page);
		const manifest = await cdp.send('Page.getAppManifest');
		expect(manifest.errors).toEqual([]);
		const parsed = JSON.parse(manifest.data!);
		expect(parsed).toMatchObject({
			name: 'Mijn Aanvraag',
			start_url: '/cases',
			display: 'standalone',
			theme_color: '#154273'
		});
		const icons = parsed.icons.map(
			(i: { sizes: string; purpose: string }) => `${i.sizes} ${i.purpose}`
		);
		expect(icons).toEqual(
			expect.arrayContaining(['192x192 any', '512x512 any', '192x192 maskable', '512x512 maskable'])
		);
		for (const icon of parsed.icons) {
			const response = await page.request.get(icon.src);
			expect(response.headers()['content-type']).toBe('image/png');
		}
		const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
		expect(installabilityErrors).toEqual([]);
	} finally {
		await context.close();
		rmSync(profile, { recursive: true, force: true });
	}
});

test('after one online visit the case page opens offline, says so and shows its age', async ({
	page,
	context
}) => {
	await visitCaseOnline(page);
	await context.setOffline(true);
	const response = await page.goto(`/cases/${CASE}`);
	expect(response?.status()).toBe(200);
	await expect(page.getByRole('heading', { level: 1, name: 'Asylum' })).toBeVisible();
	await expect(page.getByText(CASE)).toBeVisible();
	const banner = page.getByRole('status').filter({ hasText: 'Offline' });
	await expect(banner).toContainText(
		/Offline — last updated \d{1,2} \w+ \d{4}(,| at) \d{2}:\d{2} \((now|1 minute ago)\)\./
	);
	await expectNoAxeViolations(page);

	// A page not kept, and every staff page, is the offline page: nothing else is ever stored.
	for (const path of ['/staff', '/counter', `/cases/${CASE}/appointment`, '/account/sessions']) {
		await page.goto(path);
		await expect(page.getByRole('heading', { name: 'No connection' })).toBeVisible();
	}
	expect(await keptPages(page)).toEqual([new URL(`/cases/${CASE}`, page.url()).href]);
	await expectNoAxeViolations(page);

	// Back online, the banner goes: the page is the network's again.
	await context.setOffline(false);
	await page.goto(`/cases/${CASE}`);
	await expect(page.getByRole('heading', { level: 1, name: 'Asylum' })).toBeVisible();
	await expect(page.getByText(/Offline — last updated/)).toBeHidden();
});

/** The language and age in ms of the kept copy of `path`, from the page as kept. */
function keptCopy(page: Page, path: string): Promise<{ lang: string; age: number } | null> {
	return page.evaluate(async (path) => {
		for (const name of await caches.keys()) {
			if (!name.startsWith('personal-pages-')) continue;
			const html = await (await (await caches.open(name)).match(path))?.text();
			if (!html) continue;
			const lang = /<html lang="([^"]+)"/.exec(html)?.[1] ?? '';
			const at = /data-fetched-at="([^"]+)"/.exec(html)?.[1] ?? '';
			return { lang, age: Date.now() - Date.parse(at) };
		}
		return null;
	}, path);
}

/** Rewrites the kept copy of `path` as if the server had made it `ms` before now. */
async function ageKeptCopy(page: Page, path: string, ms: number): Promise<void> {
	await page.evaluate(
		async ({ path, ms }) => {
			for (const name of await caches.keys()) {
				if (!name.startsWith('personal-pages-')) continue;
				const cache = await caches.open(name);
				const kept = (await cache.match(path))!;
				const html = (await kept.text()).replace(
					/data-fetched-at="[^"]+"/,
					`data-fetched-at="${new Date(Date.now() - ms).toISOString()}"`
				);
				await cache.put(path, new Response(html, { status: 200, headers: kept.headers }));
			}
		},
		{ path, ms }
	);
}

test('the banner gives the age of the copy in the largest whole unit, in the page’s language', async ({
	page,
	context
}) => {
	await visitCaseOnline(page);
	const path = `/cases/${CASE}`;
	const banner = page.getByRole('status').filter({ hasText: /Offline|غير متصل/ });
	for (const [lang, ms, age] of [
		['nl', 3 * 3_600_000 + 5_000, '(3 uur geleden)'],
		['en', 30 * 3_600_000, '(1 day ago)'],
		['ar', 2 * 86_400_000 + 5_000, '(قبل يومين)'],
		// The device's clock behind the server's: never an age in the future.
		['en', -90_000, '(now)']
	] as const) {
		await context.setOffline(false);
		await page.goto(`${path}?lang=${lang}`);
		// The service worker has kept this answer: in this language, made just now.
		await expect
			.poll(async () => {
				const copy = await keptCopy(page, path);
				return copy?.lang === lang && copy.age >= 0 && copy.age < 60_000;
			})
			.toBe(true);
		await ageKeptCopy(page, path, ms);
		await context.setOffline(true);
		await page.goto(path);
		await expect(banner).toContainText(age);
	}
});

test('a kept case page older than 30 days is not shown, and is deleted', async ({
	page,
	context
}) => {
	await visitCaseOnline(page);
	// The copy as if the server had sent it 31 days ago (its Date header is what counts).
	await page.evaluate(async (path) => {
		for (const name of await caches.keys()) {
			if (!name.startsWith('personal-pages-')) continue;
			const cache = await caches.open(name);
			const kept = (await cache.match(path))!;
			const headers = new Headers(kept.headers);
			headers.set('Date', new Date(Date.now() - 31 * 86_400_000).toUTCString());
			await cache.put(path, new Response(await kept.blob(), { status: 200, headers }));
		}
	}, `/cases/${CASE}`);
	await context.setOffline(true);
	await page.goto(`/cases/${CASE}`);
	await expect(page.getByRole('heading', { name: 'No connection' })).toBeVisible();
	await expect.poll(() => keptPages(page)).toEqual([]);
});

test('signing out deletes every kept case page', async ({ page, context }) => {
	await visitCaseOnline(page);
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/auth\/login/);
	await expect.poll(() => keptPages(page)).toEqual([]);
	await context.setOffline(true);
	await page.goto(`/cases/${CASE}`);
	await expect(page.getByRole('heading', { name: 'No connection' })).toBeVisible();
	await expect(page.getByText(CASE)).toHaveCount(0);
});

test('another person signing in on the same device never sees the kept pages', async ({
	page,
	context
}) => {
	await visitCaseOnline(page);
	// The first person's session ended without signing out (it expired, or was ended elsewhere).
	await context.clearCookies();
	await signIn(page, 'applicant2@demo.test');
	await expect
		.poll(() => keptPages(page))
		.not.toContain(new URL(`/cases/${CASE}`, page.url()).href);
	await context.setOffline(true);
	await page.goto(`/cases/${CASE}`);
	await expect(page.getByRole('heading', { name: 'No connection' })).toBeVisible();
});

test('offline in Arabic: the banner right to left, without axe violations', async ({
	page,
	context
}) => {
	await signIn(page, 'applicant@demo.test');
	await page.goto(`/cases/${CASE}?lang=ar`);
	await page.evaluate(() => navigator.serviceWorker.ready);
	await expect.poll(() => keptPages(page)).toContain(new URL(`/cases/${CASE}`, page.url()).href);
	await context.setOffline(true);
	await page.goto(`/cases/${CASE}`);
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
	await expect(page.getByRole('status').filter({ hasText: 'غير متصل' })).toContainText(
		'غير متصل — آخر تحديث'
	);
	await expectNoAxeViolations(page);
});

test('when the portal does not answer although the phone thinks it is online, the kept copy says so', async ({
	page,
	context
}) => {
	await visitCaseOnline(page);
	// The network refuses the page: a dead connection behind a working Wi-Fi, or the server gone.
	await context.route(new RegExp(`/cases/${CASE}(\\?|$)`), (route) =>
		route.abort('connectionrefused')
	);
	await page.goto(`/cases/${CASE}?lang=en`);
	expect(await page.evaluate(() => navigator.onLine)).toBe(true);
	await expect(page.getByRole('heading', { level: 1, name: 'Asylum' })).toBeVisible();
	await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toContainText(
		'Offline — last updated'
	);
});
