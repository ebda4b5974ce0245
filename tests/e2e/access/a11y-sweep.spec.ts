/** axe on every page each kind of person sees, in Dutch and English (and the applicant's in Arabic and Farsi). */
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';
import { signIn } from '../support/auth';

const pages: { email: string | null; paths: string[]; langs: string[] }[] = [
	{
		email: null,
		paths: ['/statistics', '/how-we-calculate', '/auth/login', '/auth/activate', '/auth/reset'],
		langs: ['nl', 'en', 'ar', 'fa']
	},
	{
		email: 'applicant@demo.test',
		paths: ['/cases', '/cases/IND-2026-90000001', '/account/sessions'],
		langs: ['nl', 'en', 'ar', 'fa']
	},
	{
		email: 'referent@demo.test',
		paths: ['/referent', '/referent/cases/IND-2026-90000002'],
		langs: ['nl', 'en']
	},
	{ email: 'counter@demo.test', paths: ['/counter'], langs: ['nl', 'en'] },
	{ email: 'triage@demo.test', paths: ['/staff'], langs: ['nl', 'en'] },
	{
		email: 'admin@demo.test',
		paths: [
			'/staff/admin',
			'/staff/admin/users',
			'/staff/admin/users/new',
			'/staff/admin/organisations',
			'/staff/admin/organisations/new',
			'/staff/admin/api-keys',
			'/staff/admin/outbox'
		],
		langs: ['nl', 'en']
	}
];

for (const group of pages) {
	test(`axe finds nothing on the pages of ${group.email ?? 'everyone'}`, async ({ page }) => {
		test.setTimeout(120_000);
		if (group.email) await signIn(page, group.email);
		for (const path of group.paths) {
			for (const lang of group.langs) {
				const response = await page.goto(`${path}?lang=${lang}`);
				expect(response?.status(), `${path} in ${lang}`).toBe(200);
				await expect(page.locator('html')).toHaveAttribute('lang', lang);
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
