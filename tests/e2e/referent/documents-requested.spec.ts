import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';
import { signedInApplicant, signIn } from '../support/auth';
import { authorised } from '../support/api';

// Demo Tech B.V., whose referent is referent@demo.test (src/lib/server/demo/product-models.ts).
const DEMO_TECH_KVK = '90000001';

test('a request for missing documents: the applicant sees what and by when, the sponsor sees it needs action', async ({
	page,
	request,
	browser
}) => {
	await page.setViewportSize({ width: 360, height: 740 });
	const c = await signedInApplicant(page, request, {
		product: 'kennismigrant',
		submittedDaysAgo: 10,
		stage: 'assessment',
		sponsorKvk: DEMO_TECH_KVK
	});
	const before = new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10);
	const note = 'Stuur de loonstroken van de laatste drie maanden.';
	const response = await request.post('/api/v1/events', {
		headers: authorised(),
		data: {
			events: [
				{
					id: randomUUID(),
					type: 'case.documents_requested',
					occurredAt: new Date().toISOString(),
					case: c.reference,
					data: { missing: ['salary_statement', 'employment_contract'], before, note }
				}
			]
		}
	});
	expect(response.status()).toBe(200);

	const longDate = (lang: string) =>
		new Intl.DateTimeFormat(lang, {
			weekday: 'long',
			day: 'numeric',
			month: 'long',
			year: 'numeric',
			timeZone: 'Europe/Amsterdam'
		}).format(new Date(`${before}T12:00:00Z`));

	// In Dutch: what is missing, the IND's note as given, and the date.
	await page.goto(`/cases/${c.reference}?lang=nl`);
	const panel = page.getByRole('region', { name: 'De IND heeft documenten van u nodig' });
	await expect(panel).toBeVisible();
	await expect(panel).toContainText(`Stuur ze vóór ${longDate('nl')}.`);
	const missing = panel.getByRole('list', { name: 'Deze documenten ontbreken:' });
	await expect(missing.getByRole('listitem')).toHaveText(['Loonstroken', 'Arbeidscontract']);
	await expect(panel.locator('blockquote')).toHaveText(note);
	await expect(page.getByText('Documenten ontbreken', { exact: true }).first()).toBeVisible();
	await expectNoAxeViolations(page);

	// In Arabic, right to left.
	await page.goto(`/cases/${c.reference}?lang=ar`);
	await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
	const arabic = page.getByRole('region', { name: 'تحتاج IND إلى وثائق منك' });
	await expect(arabic).toBeVisible();
	await expect(arabic.getByRole('listitem')).toHaveText(['قسائم الراتب', 'عقد العمل']);
	await expectNoAxeViolations(page);

	// The sponsor's referent, on a desktop: the case needs action, with what is missing and by when.
	const referent = await browser.newPage({ viewport: { width: 1280, height: 800 } });
	await signIn(referent, 'referent@demo.test');
	await referent.goto(`/referent?lang=nl&action=1&q=${c.reference}`);
	const row = referent.getByRole('row', { name: /Samira Haddad/ });
	await expect(row).toContainText('Actie nodig');
	await expect(row).toContainText('Documenten ontbreken, sturen vóór');
	await expect(row.getByRole('listitem')).toHaveText(['Loonstroken', 'Arbeidscontract']);
	await expectNoAxeViolations(referent);

	// On a phone, the card says the same.
	await referent.setViewportSize({ width: 360, height: 740 });
	const card = referent.getByRole('list', { name: 'Aanvragen' }).getByRole('listitem').first();
	await expect(card).toContainText('Actie nodig');
	await expect(card).toContainText('Loonstroken');

	// The case page of the referent.
	await referent.setViewportSize({ width: 1280, height: 800 });
	await row.getByRole('link', { name: c.reference }).click();
	const documents = referent.getByRole('region', { name: 'Ontbrekende documenten' });
	await expect(documents).toContainText('Stuur ze vóór');
	await expect(documents.getByRole('listitem')).toHaveText(['Loonstroken', 'Arbeidscontract']);
	await expect(documents.locator('blockquote')).toHaveText(note);
	await expectNoAxeViolations(referent);
	await referent.close();
});
