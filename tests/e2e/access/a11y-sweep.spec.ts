/**
 * axe on every page each kind of person sees: staff pages in Dutch and English, the applicant's in
 * all seven languages. Sign-in, activation, the case list and the case page are swept in every
 * language in tests/e2e/applicant/languages.spec.ts, with their texts and fonts.
 */
import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';
import { signIn } from '../support/auth';
import { missingGlyphs } from '../support/glyphs';

// Dutch last: each switch is kept with the demo applicant's account, and other tests expect Dutch.
const APPLICANT_LANGUAGES = ['en', 'ar', 'fa', 'ti', 'tr', 'uk', 'nl'];

const pages: { email: string | null; paths: string[]; langs: string[] }[] = [
	{
		email: null,
		paths: ['/statistics', '/how-we-calculate', '/auth/reset'],
		langs: APPLICANT_LANGUAGES
	},
	{
		email: 'applicant@demo.test',
		paths: [
			'/cases/IND-2026-90000001/priority-request',
			'/cases/IND-2026-90000001/appointment',
			'/account/sessions',
			'/account/security',
			'/account/notifications'
		],
		langs: APPLICANT_LANGUAGES
	},
	{
		email: 'referent@demo.test',
		paths: ['/referent', '/referent/cases/IND-2026-90000002'],
		langs: ['nl', 'en']
	},
	{ email: 'counter@demo.test', paths: ['/counter'], langs: ['nl', 'en'] },
	{ email: 'triage@demo.test', paths: ['/staff', '/staff/triage'], langs: ['nl', 'en'] },
	// A location's page and its day list are swept in tests/e2e/staff/planning.spec.ts.
	{
		email: 'planner@demo.test',
		paths: ['/staff/planning', '/staff/planning/locations/new'],
		langs: ['nl', 'en']
	},
	{
		email: 'admin@demo.test',
		paths: [
			'/staff/admin',
			'/staff/admin/users',
			'/staff/admin/users/new',
			'/staff/admin/organisations',
			'/staff/admin/organisations/new',
			'/staff/admin/api-keys',
			'/staff/admin/outbox',
			'/staff/admin/triage-conditions'
		],
		langs: ['nl', 'en']
	}
];

for (const group of pages) {
	test(`axe finds nothing on the pages of ${group.email ?? 'everyone'}`, async ({ page }) => {
		// Up to 35 pages with axe each: on a busy two-core machine twenty took close to two minutes.
		test.setTimeout(300_000);
		if (group.email) await signIn(page, group.email);
		for (const path of group.paths) {
			for (const lang of group.langs) {
				const response = await page.goto(`${path}?lang=${lang}`);
				expect(response?.status(), `${path} in ${lang}`).toBe(200);
				await expect(page.locator('html')).toHaveAttribute('lang', lang);
				expect(await missingGlyphs(page), `boxes on ${path} in ${lang}`).toEqual([]);
				await expectNoAxeViolations(page);
			}
		}
	});
}

test('the counter lookup shows the case after a reason is given, and the applicant sees who looked', async ({
	page,
	browser
}) => {
	await signIn(page, 'counter@demo.test', undefined, 'en');
	await page.goto('/counter?lang=en');
	await page
		.getByRole('button')
		.filter({ hasText: /look|zoek/i })
		.first()
		.click();
	await expect(page).toHaveTitle(/^Error: /);
	await expectNoAxeViolations(page);
	await page.getByLabel(/reference/i).fill('IND-2026-90000001');
	await page.getByLabel(/reason/i).fill('Applicant at the desk asks about the interview');
	await page
		.getByRole('button')
		.filter({ hasText: /look|zoek/i })
		.first()
		.click();
	await expect(page.getByText('IND-2026-90000001').first()).toBeVisible();
	await expectNoAxeViolations(page);

	const applicant = await browser.newPage();
	await signIn(applicant, 'applicant@demo.test', undefined, 'en');
	await applicant.goto('/cases/IND-2026-90000001?lang=en');
	const log = applicant.getByRole('table').filter({ hasText: 'IND counter employee' });
	await expect(log).toContainText('desk Den Haag');
	await expect(log).not.toContainText('Counter Den Haag');
	await applicant.close();
});

/** Submits the page's form empty and checks the GOV.UK error pattern, on a phone, with axe. */
async function expectFormInError(page: Page, path: string, lang: string): Promise<void> {
	await page.goto(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
	await page.getByRole('main').getByRole('button').last().click();
	await expect(page, `${path} in ${lang}`).toHaveTitle(/^(Fout|Error|خطأ|خطا): /);
	const summary = page.locator('.error-summary');
	await expect(summary).toBeFocused();
	// Each link in the summary leads to a field that says what is wrong.
	for (const link of await summary.getByRole('link').all()) {
		const field = (await link.getAttribute('href'))!.slice(1);
		await expect(page.locator(`[id="${field}"]`)).toHaveCount(1);
	}
	await expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();
	// Nothing wider than the phone: no sideways scrolling to read a message.
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
	await expectNoAxeViolations(page);
}

test.describe('on a phone (390×844)', () => {
	test.use({ viewport: { width: 390, height: 844 } });

	test('applicant forms in error, left to right and right to left', async ({ page }) => {
		test.setTimeout(120_000);
		for (const path of ['/auth/activate', '/auth/login', '/auth/reset'])
			for (const lang of ['nl', 'ar']) await expectFormInError(page, path, lang);
	});

	test('staff forms in error', async ({ page }) => {
		test.setTimeout(120_000);
		await signIn(page, 'admin@demo.test', undefined, 'nl');
		for (const path of ['/staff/admin/users/new', '/staff/admin/organisations/new'])
			for (const lang of ['nl', 'en']) await expectFormInError(page, path, lang);
	});

	test('notices: each level is announced with its own role, and axe finds nothing', async ({
		page
	}) => {
		test.setTimeout(120_000);
		// Success and information wait their turn (status).
		for (const [query, text] of [
			['activated=done', 'Uw account is klaar'],
			['reset=done', 'Uw wachtwoord is gewijzigd']
		]) {
			await page.goto(`/auth/login?lang=nl&${query}`);
			await expect(page.getByRole('status')).toContainText(text);
			await expectNoAxeViolations(page);
		}
		await page.goto('/auth/login?lang=ar&expired=second_factor');
		await expect(page.getByRole('status')).toBeVisible();
		await expectNoAxeViolations(page);
		// A notice the page opens with is no live region; it still shows.
		await signIn(page, 'admin@demo.test', undefined, 'en');
		await page.goto('/staff/admin/users?lang=en');
		await page.getByRole('row').filter({ hasText: 'admin@demo.test' }).getByRole('link').click();
		await expect(page.getByText('This is your own account.')).toBeVisible();
		await expect(page.getByRole('status')).toHaveCount(0);
		await expect(page.getByRole('alert')).toHaveCount(0);
		await expectNoAxeViolations(page);
	});
});
