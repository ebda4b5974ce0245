import { expect, test } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { expectNoAxeViolations } from '../support/a11y';
import { newApplicantCase } from '../support/api';
import { activate, signIn } from '../support/auth';
import { mailCount, waitForMail } from '../support/mail';

test('activation with the letter code, sign in, see the case, sign out', async ({
	page,
	request
}) => {
	const c = await newApplicantCase(request);
	const email = `samira-${randomUUID().slice(0, 8)}@example.test`;
	await activate(page, c, email, 'my family is coming home');
	await expect(page.getByRole('status')).toContainText('Your account is ready');

	await signIn(page, email, 'my family is coming home');
	await expect(page).toHaveURL(/\/cases$/);
	await expect(page.getByRole('link', { name: 'Family reunification' })).toBeVisible();
	await page.getByRole('link', { name: 'Family reunification' }).click();
	await expect(page.getByText(c.reference)).toBeVisible();

	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/auth\/login/);
	await page.goto('/cases');
	await expect(page).toHaveURL(/\/auth\/login\?next=%2Fcases/);
});

test('a used code cannot activate a second account', async ({ page, request }) => {
	const c = await newApplicantCase(request);
	await activate(
		page,
		c,
		`first-${randomUUID().slice(0, 8)}@example.test`,
		'a long enough password'
	);
	await expect(page.getByRole('status')).toContainText('Your account is ready');
	await activate(
		page,
		c,
		`second-${randomUUID().slice(0, 8)}@example.test`,
		'a long enough password'
	);
	await expect(page).toHaveTitle(/^Error: /);
	await expect(
		page.getByRole('link', { name: /These details do not match a valid code/ })
	).toBeVisible();
});

test('forms show GOV.UK errors: a focused summary linking to each field, and the title says Error', async ({
	page
}) => {
	await page.goto('/auth/activate?lang=nl');
	await page.getByRole('button', { name: 'Account maken' }).click();
	await expect(page).toHaveTitle(/^Fout: /);
	const summary = page.getByRole('heading', { name: 'Er is een probleem' });
	await expect(summary).toBeVisible();
	await expect(page.locator('.error-summary')).toBeFocused();
	await page.getByRole('link', { name: /Vul uw V-nummer in/ }).click();
	await expect(page.getByLabel('V-nummer')).toBeFocused();
	await expect(page.getByLabel('V-nummer')).toHaveAttribute('aria-invalid', 'true');
	await expectNoAxeViolations(page);
});

test('password reset through the real SMTP server, single use', async ({ page, request }) => {
	const c = await newApplicantCase(request);
	const email = `reset-${randomUUID().slice(0, 8)}@example.test`;
	await activate(page, c, email, 'the first long password');
	await expect(page.getByRole('status')).toContainText('Your account is ready');

	const before = mailCount();
	await page.goto('/auth/reset?lang=en');
	await page.getByLabel('Email address').fill(email);
	await page.getByRole('button', { name: 'Send me a link' }).click();
	await expect(page.getByRole('status')).toContainText(
		'If this email address belongs to an account'
	);

	const mail = await waitForMail(email, before);
	const link = /https?:\/\/[^\s]+\/auth\/reset\/[a-z0-9]+/.exec(mail)![0];
	await page.goto(new URL(link).pathname);
	await page.getByLabel('New password').fill('the second long password');
	await page.getByRole('button', { name: 'Save password' }).click();
	await expect(page.getByRole('status')).toContainText('Your password has been changed');

	await signIn(page, email, 'the second long password');
	await expect(page).toHaveURL(/\/cases$/);
	await page.goto(new URL(link).pathname);
	await expect(page.getByText('This link no longer works')).toBeVisible();
});

test('"sign out everywhere" ends the sessions on other devices', async ({ browser }) => {
	// Two sign-ins with the second step and an axe run: more than the default 30 s on a busy machine.
	test.setTimeout(90_000);
	const phone = await browser.newContext();
	const laptop = await browser.newContext();
	const onPhone = await phone.newPage();
	const onLaptop = await laptop.newPage();
	await signIn(onPhone, 'planner@demo.test');
	await signIn(onLaptop, 'planner@demo.test');
	await onLaptop.goto('/account/sessions?lang=en');
	await expect(onLaptop.getByRole('row')).not.toHaveCount(1);
	await expectNoAxeViolations(onLaptop);
	await onLaptop.getByRole('button', { name: 'Sign out everywhere' }).click();
	await expect(onLaptop).toHaveURL(/\/auth\/login/);
	await onPhone.goto('/account/sessions');
	await expect(onPhone).toHaveURL(/\/auth\/login/);
	await phone.close();
	await laptop.close();
});

test('the 6th wrong password within 15 minutes is refused with the time to try again', async ({
	page,
	request
}) => {
	const c = await newApplicantCase(request);
	const email = `locked-${randomUUID().slice(0, 8)}@example.test`;
	await activate(page, c, email, 'the right long password');
	await page.goto('/auth/login?lang=en');
	// Each attempt waits for its own answer: the previous attempt's error is still on the page.
	const submit = () =>
		Promise.all([
			page.waitForResponse(
				(r) => r.request().method() === 'POST' && r.url().includes('/auth/login')
			),
			page.getByRole('button', { name: 'Sign in' }).click()
		]);
	for (let i = 1; i <= 5; i++) {
		await page.getByLabel('Email address').fill(email);
		await page.getByLabel('Password', { exact: true }).fill(`wrong password ${i}`);
		await submit();
		await expect(
			page.getByRole('link', { name: /The email address or password is not right/ })
		).toBeVisible();
	}
	// The 6th attempt is refused even with the right password, until the window ends.
	await page.getByLabel('Password', { exact: true }).fill('the right long password');
	await submit();
	await expect(page).toHaveTitle(/^Error: /);
	await expect(
		page.getByRole('link', {
			name: /You entered a wrong code or password too often\. Try again after/
		})
	).toBeVisible();
});

for (const lang of ['nl', 'en']) {
	test(`auth pages have no axe violations in ${lang}`, async ({ page }) => {
		for (const path of [
			'/auth/login',
			'/auth/activate',
			'/auth/reset',
			'/auth/reset/not-a-token'
		]) {
			await page.goto(`${path}?lang=${lang}`);
			await expect(page.locator('html')).toHaveAttribute('lang', lang);
			await expectNoAxeViolations(page);
		}
	});
}

test('what someone types before the page script has started is kept when it starts', async ({
	page
}) => {
	// A slow phone: the app's script arrives a second after the page.
	await page.route('**/_app/immutable/**/*.js', async (route) => {
		await new Promise((resolve) => setTimeout(resolve, 1000));
		await route.continue();
	});
	await page.goto('/auth/reset?lang=en', { waitUntil: 'domcontentloaded' });
	await page.getByLabel('Email address').fill('early-typist@example.test');
	await page.waitForLoadState('networkidle');
	await expect(page.getByLabel('Email address')).toHaveValue('early-typist@example.test');
	await page.getByRole('button', { name: 'Send me a link' }).click();
	await expect(page.getByRole('status')).toContainText(
		'If this email address belongs to an account'
	);
});
