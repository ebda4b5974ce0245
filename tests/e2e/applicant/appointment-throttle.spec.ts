/**
 * The booking page's slot search is rate-limited per applicant (PLANNER_SEARCHES_PER_10_MINUTES),
 * so polling for freed places buys nothing. The suite's server allows 1000 searches, far more than
 * a test can spend; this spec runs its own server with a limit of 3 and checks what the demo
 * applicant sees, on a phone, once it is spent: a page that says why and for how long, in their
 * language, and a case page that still works.
 */
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';
import { signIn } from '../support/auth';
import { ownServer } from '../support/own-server';

const CASE_A = 'IND-2026-90000001';
const server = ownServer(1, { PLANNER_SEARCHES_PER_10_MINUTES: '3' });
test.use({ baseURL: server.base, viewport: { width: 390, height: 844 } });
test.afterAll(() => server.remove());

const throttled = {
	nl: {
		title: 'Even geduld',
		message:
			/^U hebt heel vaak naar vrije tijden gezocht\. Wacht \d+ minuten en probeer het opnieuw\.$/
	},
	ar: {
		title: 'يرجى الانتظار قليلاً',
		message: /^بحثت عن أوقات متاحة مرات كثيرة جدًا\. انتظر \d+ دقيقة وحاول مرة أخرى\.$/
	}
};

test('an applicant who searched for times too often is told, in their language, how long to wait', async ({
	page
}) => {
	test.setTimeout(240_000);
	await server.start();
	await signIn(page, 'applicant@demo.test', undefined, 'nl');

	// Three searches: the steps that show the places, the days and the times.
	await page.goto(`/cases/${CASE_A}/appointment?lang=nl`);
	await page.getByRole('radio', { name: 'IND Ter Apel' }).check();
	await page.getByRole('button', { name: 'Verder' }).click();
	await page.getByRole('group', { name: 'Welke dag?' }).getByRole('radio').first().check();
	await page.getByRole('button', { name: 'Verder' }).click();
	const times = page.getByRole('group', { name: 'Hoe laat?' });
	await times.getByRole('radio').first().check();

	// The fourth is refused with a page that says why and for how long.
	await page.getByRole('button', { name: 'Verder' }).click();
	await expect(page.getByRole('heading', { level: 1, name: throttled.nl.title })).toBeVisible();
	await expect(page.getByText(throttled.nl.message)).toBeVisible();
	await expect(times).toHaveCount(0);
	await expectNoAxeViolations(page);

	// Loaded by the browser itself (a reload, or without JavaScript): 429, the same page.
	const again = await page.reload();
	expect(again!.status()).toBe(429);
	await expect(page.getByText(throttled.nl.message)).toBeVisible();

	// In Arabic, right to left.
	const url = new URL(page.url());
	url.searchParams.set('lang', 'ar');
	const arabic = await page.goto(url.pathname + url.search);
	expect(arabic!.status()).toBe(429);
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
	await expect(page.getByRole('heading', { level: 1, name: throttled.ar.title })).toBeVisible();
	await expect(page.getByText(throttled.ar.message)).toBeVisible();
	await expectNoAxeViolations(page);

	// The case page does not search: it still shows the invitation and the way to the booking,
	// and the throttled page links back to it.
	await page.getByRole('link', { name: 'العودة إلى ملفك' }).click();
	await expect(page).toHaveURL(new RegExp(`/cases/${CASE_A}$`));
	await page.goto(`/cases/${CASE_A}?lang=nl`);
	await expect(page.getByText(/Maak een afspraak voor uw aanmeldgehoor vóór/)).toBeVisible();
	await expect(page.getByRole('link', { name: 'Maak uw afspraak' })).toBeVisible();
});
