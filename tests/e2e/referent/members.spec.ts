import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations } from '../support/a11y';
import { DEMO_PASSWORD, signIn } from '../support/auth';
import { mailCount, waitForMail } from '../support/mail';

const NEW_PASSWORD = 'a colleague chose this one';

/** The references on the list's first page, in order. */
async function listed(page: Page): Promise<string[]> {
	await page.goto('/referent?lang=nl');
	return page.locator('a[href^="/referent/cases/"]:visible').allInnerTexts();
}

test.describe("a sponsor's colleagues", () => {
	test('on a desktop: the administrator invites a colleague by e-mail, who sees the same list, until removed', async ({
		page,
		browser
	}) => {
		test.setTimeout(90_000);
		await page.setViewportSize({ width: 1280, height: 800 });
		await signIn(page, 'referent@demo.test', DEMO_PASSWORD, 'nl');
		const references = await listed(page);
		expect(references.length).toBeGreaterThan(0);

		await page
			.getByRole('navigation', { name: 'Onderdelen voor referenten' })
			.getByRole('link', { name: "Collega's" })
			.click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText("Collega's");
		await expect(page.getByText('De IND erkent deze organisatie als referent.')).toBeVisible();
		await expectNoAxeViolations(page);

		// A mistake first: the form says what is wrong, and sends nothing.
		const before = mailCount();
		await page.getByLabel('E-mailadres').fill('not an address');
		await page.getByRole('button', { name: 'Uitnodiging versturen' }).click();
		await expect(page.getByRole('heading', { name: 'Er is een probleem' })).toBeVisible();
		await expect(page.getByRole('link', { name: /Vul een geldig e-mailadres in/ })).toBeVisible();
		await expect(page).toHaveTitle(/^Fout: /);

		const email = `colleague-${randomUUID()}@demo.test`;
		await page.getByLabel('E-mailadres').fill(email);
		await page.getByLabel('Medewerker').check();
		await page.getByRole('button', { name: 'Uitnodiging versturen' }).click();
		await expect(page.getByText(`We hebben een uitnodiging gestuurd naar ${email}.`)).toBeVisible();
		await expect(page.getByRole('table', { name: /open uitnodiging/ })).toContainText(email);

		// The colleague reads the e-mail the portal sent through the mail server, and opens its link.
		const mail = await waitForMail(email, before);
		expect(mail).toContain('Demo Tech B.V.');
		const link = /https?:\/\/\S+\/auth\/invitation\/\S+/.exec(mail)![0];
		const colleague = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		const theirs = await colleague.newPage();
		await theirs.goto(`${new URL(link).pathname}?lang=nl`);
		await expect(theirs.getByRole('heading', { level: 1 })).toHaveText('Maak uw account');
		await expect(theirs.getByText(`Uw account krijgt het e-mailadres ${email}.`)).toBeVisible();
		await expectNoAxeViolations(theirs);
		await theirs.getByLabel('Uw naam').fill('Nieuwe Collega');
		await theirs.getByLabel('Kies een wachtwoord').fill(NEW_PASSWORD);
		await theirs.getByRole('button', { name: 'Account maken' }).click();
		await expect(theirs).toHaveURL(/\/auth\/login\?invited=done/);
		await expect(theirs.getByText('Uw account is klaar.')).toBeVisible();

		// The link worked once.
		await theirs.goto(`${new URL(link).pathname}?lang=nl`);
		await expect(theirs.getByText('Deze uitnodigingslink werkt niet meer.')).toBeVisible();

		await signIn(theirs, email, NEW_PASSWORD, 'nl');
		expect(await listed(theirs)).toEqual(references);
		// A member does not manage colleagues.
		await expect(theirs.getByRole('link', { name: "Collega's" })).toHaveCount(0);
		expect((await theirs.goto('/referent/members'))?.status()).toBe(403);

		// The administrator removes the colleague; the colleague's next page is the sign-in page.
		await page.goto('/referent/members?lang=nl');
		await page.getByRole('link', { name: /^Wijzigen of verwijderen ?: Nieuwe Collega$/ }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nieuwe Collega');
		await expectNoAxeViolations(page);
		await page.getByRole('button', { name: 'Nieuwe Collega verwijderen' }).click();
		await expect(page.getByText('De collega is verwijderd en uitgelogd.')).toBeVisible();
		await expect(page.getByRole('table', { name: /collega/ })).not.toContainText(email);

		await theirs.goto('/referent');
		await expect(theirs).toHaveURL(/\/auth\/login/);
		await colleague.close();
	});

	test('on a phone, in English: the page fits, and an administrator cannot change their own account', async ({
		page
	}) => {
		await page.setViewportSize({ width: 375, height: 740 });
		await signIn(page, 'referent-y@demo.test', DEMO_PASSWORD, 'en');
		await page.goto('/referent/members?lang=en');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Colleagues');
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - document.documentElement.clientWidth
		);
		expect(overflow).toBeLessThanOrEqual(0);
		await expectNoAxeViolations(page);
		// Their own row has no link to change or remove it.
		await expect(page.getByRole('link', { name: /Change or remove/ })).toHaveCount(0);
	});
});
