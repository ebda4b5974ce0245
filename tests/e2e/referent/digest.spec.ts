import { expect, test, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { expectNoAxeViolations, expectNoAxeViolationsWithoutJs } from '../support/a11y';
import { signIn } from '../support/auth';
import { authorised, newReference } from '../support/api';
import { DEMO_TECH_KVK } from '../../../src/lib/server/demo/product-models';

const texts = {
	nl: {
		link: 'Samenvatting per e-mail',
		title: 'Dagelijkse samenvatting per e-mail',
		option: 'Stuur mij elke dag een samenvatting van de wijzigingen',
		save: 'Opslaan',
		on: 'Opgeslagen. U krijgt de dagelijkse samenvatting per e-mail.',
		off: 'Opgeslagen. U krijgt de dagelijkse samenvatting niet.',
		never: 'Er is nog geen samenvatting verstuurd.',
		preview: 'Wat de volgende samenvatting tot nu toe noemt',
		submitted: 'Aanvraag ingediend'
	},
	en: {
		link: 'Daily e-mail summary',
		title: 'Daily e-mail summary',
		option: 'E-mail me a daily summary of changes',
		save: 'Save',
		on: 'Saved. You will get the daily summary by e-mail.',
		off: 'Saved. You will not get the daily summary.',
		never: 'No summary has been sent yet.',
		preview: 'What the next summary will list so far',
		submitted: 'Application submitted'
	}
};

/** Opens the settings from the referent's list, by the section's menu. */
async function openSettings(page: Page, lang: 'nl' | 'en') {
	await page.goto(`/referent?lang=${lang}`);
	await page
		.getByRole('navigation', {
			name: lang === 'nl' ? 'Onderdelen voor referenten' : 'Sponsor sections'
		})
		.getByRole('link', { name: texts[lang].link })
		.click();
	await expect(page).toHaveURL(/\/referent\/digest/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(texts[lang].title);
}

test.describe('the referent digest', () => {
	test('on a desktop: turned on by keyboard, the preview lists a new case, and turned off again', async ({
		page,
		request
	}) => {
		await page.setViewportSize({ width: 1280, height: 800 });
		await signIn(page, 'referent@demo.test', undefined, 'nl');
		const nl = texts.nl;
		await openSettings(page, 'nl');
		const option = page.getByRole('checkbox', { name: nl.option });
		await expect(option).not.toBeChecked();
		await expectNoAxeViolations(page);

		await option.focus();
		await page.keyboard.press('Space');
		await page.getByRole('button', { name: nl.save }).press('Enter');
		await expect(page.getByRole('status')).toContainText(nl.on);
		await expect(option).toBeChecked();
		await expect(page.getByText(nl.never)).toBeVisible();
		await expect(page.getByRole('heading', { name: nl.preview })).toBeVisible();
		await expect(page.getByText(/^Geen wijzigingen sinds/)).toBeVisible();

		// A case the organisation sponsors arrives: the next digest will list it.
		const reference = newReference();
		const response = await request.post('/api/v1/events', {
			headers: authorised(),
			data: {
				events: [
					{
						id: randomUUID(),
						type: 'case.submitted',
						occurredAt: new Date().toISOString(),
						case: reference,
						data: {
							product: 'kennismigrant',
							vNumber: String(4_000_000_000 + Math.floor(Math.random() * 999_999_999)),
							applicant: { name: 'Mei Tanaka', birthDate: '1992-03-04', language: 'en' },
							sponsorKvk: DEMO_TECH_KVK
						}
					}
				]
			}
		});
		expect(response.status()).toBe(200);
		await page.reload();
		const item = page.getByRole('listitem').filter({ hasText: reference });
		await expect(item).toContainText('Mei Tanaka');
		await expect(item).toContainText('Kennismigrant');
		await expect(item).toContainText(nl.submitted);
		await expect(item.getByRole('link', { name: reference })).toHaveAttribute(
			'href',
			`/referent/cases/${reference}`
		);
		await expectNoAxeViolations(page);

		await option.uncheck();
		await page.getByRole('button', { name: nl.save }).click();
		await expect(page.getByRole('status')).toContainText(nl.off);
		await expect(option).not.toBeChecked();
		await expect(page.getByText(reference)).toHaveCount(0);
		await expectNoAxeViolations(page);
	});

	test('on a phone, without JavaScript: turned on and off with the plain form', async ({
		browser
	}) => {
		const context = await browser.newContext({
			viewport: { width: 360, height: 740 },
			javaScriptEnabled: false
		});
		const page = await context.newPage();
		try {
			await signIn(page, 'referent@demo.test');
			const en = texts.en;
			await openSettings(page, 'en');
			const option = page.getByRole('checkbox', { name: en.option });
			await expect(option).not.toBeChecked();
			await option.check();
			await page.getByRole('button', { name: en.save }).click();
			await expect(page.getByText(en.on)).toBeVisible();
			await expect(option).toBeChecked();
			await expectNoAxeViolationsWithoutJs(page);
			// Nothing wider than the phone's screen.
			const overflow = await page.evaluate(
				() => document.documentElement.scrollWidth > window.innerWidth
			);
			expect(overflow).toBe(false);

			await option.uncheck();
			await page.getByRole('button', { name: en.save }).click();
			await expect(page.getByText(en.off)).toBeVisible();
			await expect(option).not.toBeChecked();
		} finally {
			await context.close();
		}
	});
});
