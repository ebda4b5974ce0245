import { expect, test } from '@playwright/test';

test('signing in and reading the case page work with the keyboard alone', async ({ page }) => {
	await page.setViewportSize({ width: 360, height: 740 });
	await page.goto('/auth/login?lang=en');
	await page.keyboard.press('Tab');
	await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
	await page.keyboard.press('Enter');
	// From the main content, the first field is one Tab away.
	await page.keyboard.press('Tab');
	await expect(page.getByLabel('Email address')).toBeFocused();
	await page.keyboard.type('applicant@demo.test');
	await page.keyboard.press('Tab');
	await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
	await page.keyboard.type('demo-password');
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/cases$/);

	const caseLink = page.getByRole('link', { name: 'Asylum' });
	await caseLink.focus();
	await page.keyboard.press('Enter');
	await expect(page.getByRole('heading', { level: 1, name: 'Asylum' })).toBeVisible();
	// The weekly figures behind the chart open with the keyboard.
	const toggle = page.getByText('Show the figures per week');
	await toggle.focus();
	await page.keyboard.press('Enter');
	await expect(page.getByRole('table').first()).toBeVisible();
});
