/**
 * First loads stay light. The case page is a document that does not hydrate: its one script is
 * the offline banner's. A page that hydrates does so with the texts the server wrote into it, and
 * fetches i18next with the language's files only when it needs more, on a navigation or a form's
 * answer. What a person reads must be the same either way.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { signIn } from '../support/auth';

const CASE = 'IND-2026-90000001';
const phone = { width: 360, height: 740 };

/** Records the scripts a page fetches; `i18next()` says whether one of them was i18next. */
function scriptsOf(page: Page) {
	const bodies: Promise<string>[] = [];
	const paths: string[] = [];
	page.on('response', (response) => {
		if (response.request().resourceType() !== 'script') return;
		bodies.push(response.text());
		paths.push(new URL(response.url()).pathname);
	});
	return {
		paths: () => paths,
		// A method name minifying keeps, and nothing of ours is called so.
		i18next: async () => (await Promise.all(bodies)).some((b) => b.includes('createInstance'))
	};
}

const visibleText = (page: Page) => page.locator('main').innerText();

test.use({ viewport: phone });

type State = Awaited<ReturnType<BrowserContext['storageState']>>;

async function signedIn(page: Page): Promise<State> {
	await signIn(page, 'applicant@demo.test');
	return page.context().storageState();
}

/**
 * Opens `path` in a fresh context with the session: an empty cache, as on a first visit. Given
 * `html`, the context is served that document instead of asking the server again, so that two
 * visits compare one answer, not two answers a minute apart.
 */
async function firstVisit(
	browser: Browser,
	state: State,
	path: string,
	javaScriptEnabled = true,
	html?: string
) {
	const context = await browser.newContext({
		viewport: phone,
		javaScriptEnabled,
		storageState: state
	});
	const fresh = await context.newPage();
	if (html !== undefined) {
		await fresh.route(
			(url) => url.pathname + url.search === path,
			(route) => route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' })
		);
	}
	const scripts = scriptsOf(fresh);
	const response = await fresh.goto(path, { waitUntil: 'networkidle' });
	return { page: fresh, scripts, html: await response!.text() };
}

for (const lang of ['nl', 'ar'] as const) {
	test(`in ${lang}: the case page is a document with one small script, read the same without JavaScript`, async ({
		page,
		browser
	}) => {
		const path = `/cases/${CASE}?lang=${lang}`;
		const state = await signedIn(page);
		const first = await firstVisit(browser, state, path);
		expect(first.scripts.paths()).toEqual(['/offline-banner.js']);
		expect(first.html).not.toContain('page-texts');
		const read = await visibleText(first.page);
		expect(read).toContain(CASE);

		// The same answer of the server, read without JavaScript.
		const plain = await firstVisit(browser, state, path, false, first.html);
		expect(read).toBe(await visibleText(plain.page));
	});
}

test('a page that hydrates does so without i18next, and the next page renders in full', async ({
	page,
	browser
}) => {
	const first = await firstVisit(browser, await signedIn(page), '/account/sessions?lang=nl');
	const next = first.page;
	await expect(next.getByRole('heading', { level: 1 })).toHaveText('Ingelogde apparaten');
	expect(first.scripts.paths().length).toBeGreaterThan(1);
	expect(await first.scripts.i18next()).toBe(false);
	await next.getByRole('link', { name: 'Meldingen op uw telefoon of computer' }).click();
	await expect(next).toHaveURL(/\/account\/notifications$/);
	await expect(next.getByRole('heading', { level: 1 })).toHaveText('Meldingen');
	await expect(next.getByRole('button', { name: 'Uitloggen' })).toBeVisible();
	expect(await first.scripts.i18next()).toBe(true);
});

test("a form's answer on a first-loaded page shows its messages in the page's language", async ({
	page
}) => {
	await page.goto('/auth/login?lang=nl');
	await page.waitForLoadState('networkidle');
	await page.getByRole('button', { name: 'Inloggen' }).click();
	await expect(page).toHaveTitle(/^Fout: /);
	await expect(page.getByRole('heading', { name: 'Er is een probleem' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Vul uw e-mailadres in' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Vul uw wachtwoord in' })).toBeVisible();
});

test('the router still renders the pages that do not hydrate: after signing in, and from a menu', async ({
	page
}) => {
	// Signing in is a form the router follows to the list of cases.
	await signIn(page, 'applicant@demo.test');
	await expect(page).toHaveURL(/\/cases$/);
	await expect(page.getByRole('link', { name: /Asiel|Asylum/ }).first()).toBeVisible();

	await page.goto('/account/sessions?lang=nl');
	await page.waitForLoadState('networkidle');
	const scripts = scriptsOf(page);
	await page.getByRole('navigation').getByRole('link', { name: 'Mijn aanvragen' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mijn aanvragen');
	await page.getByRole('link', { name: /Asiel/ }).first().click();
	await expect(page.getByText(CASE)).toBeVisible();
	await expect(page.getByRole('heading', { name: /Waar staat uw aanvraag nu/ })).toBeVisible();
	// Rendered by the router, online: the banner's script came, and the banner stays hidden.
	await expect.poll(() => scripts.paths()).toContain('/offline-banner.js');
	await expect(page.getByText(/Offline — laatst bijgewerkt/)).toBeHidden();
});
