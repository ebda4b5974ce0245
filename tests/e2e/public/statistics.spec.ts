import { expect, test } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';

for (const lang of ['nl', 'en'] as const) {
	test(`statistics page in ${lang}: queues, chart with text alternative, no axe violations`, async ({
		page
	}) => {
		await page.setViewportSize({ width: 360, height: 740 });
		// Rendered once before: the server keeps each chart it made, and must still hand the
		// browser the texts it hydrates with.
		await page.request.get(`/statistics?lang=${lang}`);
		await page.goto(`/statistics?lang=${lang}`);
		await expect(page.locator('html')).toHaveAttribute('lang', lang);
		await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(
			lang === 'nl' ? 'Wachtrijen en wachttijden' : 'Queues and waiting times'
		);
		await expect(
			page
				.getByText(lang === 'nl' ? 'Wie nu in de wachtrij komt' : 'If you join the queue now')
				.first()
		).toBeVisible();
		const chart = page.getByRole('img').first();
		await expect(chart).toHaveAccessibleName(/(Bar chart|Staafdiagram)/);
		await page
			.getByText(lang === 'nl' ? 'Bekijk de cijfers per week' : 'Show the figures per week')
			.first()
			.click();
		await expect(page.getByRole('table').first()).toBeVisible();
		// Requests for faster handling: counts per month only, in a table of six complete months.
		const priority = page.getByRole('region', {
			name:
				lang === 'nl'
					? 'Verzoeken om snellere behandeling per maand'
					: 'Requests for faster handling per month'
		});
		await expect(priority.getByRole('columnheader')).toHaveText(
			lang === 'nl'
				? ['Maand', 'Ontvangen', 'Toegekend', 'Niet toegekend']
				: ['Month', 'Received', 'Accepted', 'Not accepted']
		);
		await expect(priority.getByRole('row')).toHaveCount(7);
		await expectNoAxeViolations(page);
	});
}

test('the language switch changes the language and keeps it', async ({ page }) => {
	await page.goto('/statistics?lang=nl');
	await page.getByRole('link', { name: 'English' }).click();
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await page.goto('/statistics');
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test('the statistics work without JavaScript', async ({ browser }) => {
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await page.goto('/statistics?lang=en');
	await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
	await expect(page.getByText('Waiting now').first()).toBeVisible();
	await context.close();
});

test('JSON and CSV downloads carry the figures and cache headers', async ({ request }) => {
	const json = await request.get('/statistics.json');
	expect(json.status()).toBe(200);
	expect(json.headers()['cache-control']).toContain('max-age=300');
	const body = await json.json();
	expect(JSON.stringify(body)).toContain('asiel');
	expect(body.priorityRequests.minimum).toBe(5);
	expect(body.priorityRequests.months).toHaveLength(6);
	expect(Object.keys(body.priorityRequests.months[0]).sort()).toEqual([
		'accepted',
		'firstDay',
		'lastDay',
		'notAccepted',
		'received'
	]);
	const csv = await request.get('/statistics.csv');
	expect(csv.status()).toBe(200);
	expect(csv.headers()['content-type']).toContain('text/csv');
	expect(csv.headers()['cache-control']).toContain('max-age=300');
	const text = await csv.text();
	expect(text.split('\n').length).toBeGreaterThan(10);
	expect(text.match(/,priority_requests_received,/g)).toHaveLength(6);
});
