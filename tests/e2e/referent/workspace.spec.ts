import { expect, test } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';
import { signIn } from '../support/auth';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';

// The demo case that Demo Tech B.V. sponsors (src/lib/server/demo/pinned.ts).
const SPONSORED = { reference: 'IND-2026-90000002', name: 'Arjun Mehta', vNumber: '1000000002' };

test.describe('the referent workspace', () => {
	test('on a desktop: the summary, filters in the address, a search, and a case opened', async ({
		page
	}) => {
		await page.setViewportSize({ width: 1280, height: 800 });
		await signIn(page, 'referent@demo.test');
		await page.goto('/referent?lang=nl');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(
			'Aanvragen van uw organisatie'
		);
		const overview = page.getByRole('region', { name: 'Overzicht' });
		await expect(overview).toBeVisible();
		await expectNoAxeViolations(page);

		// No column is clipped: the table fits the page's width.
		const table = page.getByRole('table');
		await expect(table).toBeVisible();
		const fits = await table.evaluate((t) => t.scrollWidth <= t.parentElement!.clientWidth + 1);
		expect(fits).toBe(true);

		// A count in the summary opens the list it counts.
		const open = overview.getByRole('link', { name: /open aanvra(ag|gen)$/ });
		const count = Number((await open.locator('.tile-count').innerText()).replace(/\D/g, ''));
		expect(count).toBeGreaterThan(0);

		// Filters go into the address, by keyboard.
		await page.getByLabel('Soort', { exact: true }).selectOption('kennismigrant');
		await page.getByLabel('Sorteren op').selectOption('submitted');
		await page.getByRole('button', { name: 'Tonen' }).press('Enter');
		await expect(page).toHaveURL(/product=kennismigrant/);
		await expect(page).toHaveURL(/sort=submitted/);
		for (const cell of await page.locator('tbody tr td:nth-child(4)').allInnerTexts())
			expect(cell).toBe('Kennismigrant');

		// The filtered list as a spreadsheet: every row of it, the applicant's name as written.
		const found = Number((await page.locator('#count').innerText()).replace(/\D/g, ''));
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('link', { name: /als spreadsheet \(CSV\)/ }).click()
		]);
		const bytes = await readFile((await download.path())!);
		expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
		const records: Record<string, string>[] = parse(bytes, { columns: true, bom: true });
		expect(records).toHaveLength(found);
		expect(new Set(records.map((r) => r.product))).toEqual(new Set(['kennismigrant']));
		expect(records.find((r) => r.reference === SPONSORED.reference)?.applicant_name).toBe(
			SPONSORED.name
		);

		// Search by V-number, then open the case.
		await page.goto('/referent?lang=nl');
		await page.getByLabel('Naam, V-nummer of kenmerk').fill(SPONSORED.vNumber);
		await page.getByLabel('Naam, V-nummer of kenmerk').press('Enter');
		await expect(page.getByText('1 aanvraag gevonden')).toBeVisible();
		const row = page.getByRole('row', { name: new RegExp(SPONSORED.name) });
		await expect(row).toContainText(SPONSORED.reference);
		await row.getByRole('link', { name: SPONSORED.reference }).click();
		await expect(page).toHaveURL(new RegExp(`/referent/cases/${SPONSORED.reference}`));
		await expect(page.getByRole('heading', { level: 1 })).toContainText(SPONSORED.reference);
		// The place and expected turn the applicant sees, and the days to the deadline.
		await expect(page.locator('dd', { hasText: /^Nr\. \d+ van \d+/ })).toBeVisible();
		await expect(page.locator('dd', { hasText: /^nog \d+ dag/ })).toBeVisible();
		await expectNoAxeViolations(page);
	});

	test('on a phone: each case is a card, and the next page follows by key', async ({ page }) => {
		await page.setViewportSize({ width: 360, height: 740 });
		await signIn(page, 'referent@demo.test');
		await page.goto('/referent?lang=en');
		await expect(page.getByRole('table')).toBeHidden();
		const cards = page.getByRole('list', { name: 'Applications' }).getByRole('listitem');
		await expect(cards.first()).toBeVisible();
		await expectNoAxeViolations(page);
		const first = await cards.first().getByRole('heading').innerText();
		const next = page.getByRole('link', { name: 'Next page' });
		if (await next.count()) {
			await next.click();
			await expect(page).toHaveURL(/after=/);
			await expect(cards.first().getByRole('heading')).not.toHaveText(first);
			await page.getByRole('link', { name: 'Previous page' }).click();
			await expect(cards.first().getByRole('heading')).toHaveText(first);
		}
		// No horizontal scrolling on a phone.
		const wide = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth);
		expect(wide).toBe(false);
	});
});
