import { expect, test, type Browser, type Page } from '@playwright/test';
import { signIn } from '../support/auth';

// The demo case that the demo referent's organisation sponsors; applicant2 is its applicant.
const SPONSORED = 'IND-2026-90000002';

/** Rows of "Who looked at my file" on the applicant's own case page. */
async function accessRows(browser: Browser): Promise<number> {
	const context = await browser.newContext();
	const page = await context.newPage();
	try {
		await signIn(page, 'applicant2@demo.test');
		await page.goto(`/cases/${SPONSORED}?lang=en`);
		const section = page.getByRole('region', { name: 'Who looked at my file' });
		await expect(section).toBeVisible();
		return await section.getByRole('row').count();
	} finally {
		await context.close();
	}
}

/** Rests the pointer on a link, moving a little as a hand does, once the page has hydrated. */
async function hoverLikeAHand(page: Page, link: ReturnType<Page['getByRole']>): Promise<void> {
	await page.waitForLoadState('networkidle');
	await link.scrollIntoViewIfNeeded();
	const box = (await link.boundingBox())!;
	for (let i = 0; i < 4; i++)
		await page.mouse.move(box.x + 3 + i, box.y + box.height / 2, { steps: 3 });
	// SvelteKit preloads about 20 ms after the pointer rests; give it ample time.
	await page.waitForTimeout(1000);
}

/** Requests for a page's data or document, seen while `work` runs. */
async function requestsFor(page: Page, path: string, work: () => Promise<void>): Promise<string[]> {
	const seen: string[] = [];
	const listener = (request: { url(): string }) => {
		if (new URL(request.url()).pathname.startsWith(path)) seen.push(request.url());
	};
	page.on('request', listener);
	try {
		await work();
	} finally {
		page.off('request', listener);
	}
	return seen;
}

test.describe('hovering a link to a page that records a read', () => {
	test('a referent hovering a case writes no "looked at your file" row; opening it does', async ({
		page,
		browser
	}) => {
		// Four sign-ins in all.
		test.setTimeout(90_000);
		const before = await accessRows(browser);

		await signIn(page, 'referent@demo.test');
		await page.goto('/referent?lang=en');
		const link = page.getByRole('link', { name: SPONSORED, exact: true });
		await expect(link).toBeVisible();
		const hovered = await requestsFor(page, `/referent/cases/${SPONSORED}`, async () => {
			await hoverLikeAHand(page, link);
		});
		expect(await accessRows(browser)).toBe(before);
		expect(hovered).toEqual([]);

		await link.click();
		await expect(page).toHaveURL(new RegExp(`/referent/cases/${SPONSORED}`));
		// Header row plus one row per read; from none to one header and one read.
		expect(await accessRows(browser)).toBe(before === 0 ? 2 : before + 1);
	});

	test('an administrator hovering the outbox links does not load the outbox', async ({ page }) => {
		await signIn(page, 'admin@demo.test');
		await page.goto('/staff/admin?lang=en');
		const links = page.getByRole('link', { name: 'Email outbox' });
		await expect(links.first()).toBeVisible();
		const hovered = await requestsFor(page, '/staff/admin/outbox', async () => {
			for (const link of await links.all()) await hoverLikeAHand(page, link);
		});
		expect(hovered).toEqual([]);
	});
});
