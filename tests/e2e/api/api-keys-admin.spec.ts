import { expect, test } from '@playwright/test';
import { signIn } from '../support/auth';

test('the administrator sees what each API key may do and its limit, in Dutch and English', async ({
	page
}) => {
	await signIn(page, 'admin@demo.test');
	await page.goto('/staff/admin/api-keys?lang=en');
	const eventsOnly = page.getByRole('row', { name: /e2e events only/ });
	await expect(eventsOnly.getByRole('listitem')).toHaveText(['Send case events (events:write)']);
	await expect(eventsOnly).toContainText('600 requests a minute');
	const limited = page.getByRole('row', { name: /e2e limited/ });
	await expect(limited.getByRole('listitem')).toHaveText([
		'Send case events (events:write)',
		'Issue activation letters (letters:issue)',
		'Read the change feed (changes:read)'
	]);
	await expect(limited).toContainText('3 requests a minute');

	await page.goto('/staff/admin/api-keys?lang=nl');
	await expect(
		page.getByRole('row', { name: /e2e letters only/ }).getByRole('listitem')
	).toHaveText(['Activeringsbrieven aanvragen (letters:issue)']);
	await expect(page.getByRole('columnheader', { name: 'Mag' })).toBeVisible();
});
