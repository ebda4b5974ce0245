import { expect, test, type Browser } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { expectNoAxeViolations } from '../support/a11y';
import { signIn, totpFor } from '../support/auth';
import { mailCount, waitForMail } from '../support/mail';

const PASSWORD = 'a long first password for staff';

async function newStaffMember(browser: Browser) {
	const context = await browser.newContext();
	const admin = await context.newPage();
	await signIn(admin, 'admin@demo.test');
	const email = `new-staff-${randomUUID().slice(0, 8)}@example.test`;
	await admin.goto('/staff/admin/users/new?lang=en');
	await admin.getByLabel('Email address').fill(email);
	await admin.getByLabel('Full name').fill('Nieuwe Planner');
	await admin.getByLabel('First password').fill(PASSWORD);
	await admin.getByLabel('Planner').check();
	await admin.getByRole('button', { name: 'Create account' }).click();
	await expect(admin.getByRole('status')).toContainText('The staff account has been created');
	return { admin, email };
}

/** Password, then the enrolment page: scans nothing, reads the key as text like a screen-reader user. */
async function enrol(page: import('@playwright/test').Page, email: string) {
	await page.goto('/auth/login?lang=en');
	await page.getByLabel('Email address').fill(email);
	await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(/\/auth\/login\/enrol/);
	await expect(
		page.getByRole('heading', { level: 1, name: 'Set up your authenticator app' })
	).toBeVisible();
	await expect(page.locator('figure.qr svg')).toBeVisible();
	const secret = (await page.locator('.secret code').innerText()).replace(/\s/g, '');
	expect(secret).toMatch(/^[A-Z2-7]{32}$/);
	return secret;
}

test.describe.configure({ timeout: 120_000 });

test('a new staff member enrols at the first sign-in, gets ten recovery codes once, and signs in with a code after', async ({
	browser,
	page
}) => {
	const { email } = await newStaffMember(browser);
	const secret = await enrol(page, email);
	await expectNoAxeViolations(page);
	// Between password and code there is no session.
	const probe = await page.request.get('/staff', { maxRedirects: 0 });
	expect(probe.status()).toBe(303);
	expect(probe.headers()['location']).toContain('/auth/login');

	await page.getByLabel('Code', { exact: true }).fill('000000');
	await page.getByRole('button', { name: 'Confirm code' }).click();
	await expect(page).toHaveTitle(/^Error: /);
	await page.getByLabel('Code', { exact: true }).fill(await totpFor(secret));
	await page.getByRole('button', { name: 'Confirm code' }).click();
	await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
	const codes = await page.locator('.codes li').allInnerTexts();
	expect(codes).toHaveLength(10);
	await page.getByRole('link', { name: 'I have saved my codes, continue' }).click();
	await expect(page).toHaveURL(/\/staff$/);

	await page.getByRole('button', { name: 'Sign out' }).click();
	await signIn(page, email, PASSWORD, 'en', { totpSecret: secret });
	await expect(page).toHaveURL(/\/staff$/);
	await page.getByRole('button', { name: 'Sign out' }).click();

	// A recovery code instead of the phone, once.
	await page.goto('/auth/login?lang=en');
	await page.getByLabel('Email address').fill(email);
	await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(/\/auth\/login\/verify/);
	await expectNoAxeViolations(page);
	await page.getByLabel('Code', { exact: true }).fill(codes[0]);
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(page).toHaveURL(/\/staff$/);
});

test('an administrator resets a lost second factor with a reason, and disables an account: the next request is signed out', async ({
	browser,
	page
}) => {
	const { admin, email } = await newStaffMember(browser);
	const secret = await enrol(page, email);
	await page.getByLabel('Code', { exact: true }).fill(await totpFor(secret));
	await page.getByRole('button', { name: 'Confirm code' }).click();
	await page.getByRole('link', { name: 'I have saved my codes, continue' }).click();
	await expect(page).toHaveURL(/\/staff$/);

	await admin.goto('/staff/admin/users?lang=en');
	await expect(admin).toHaveURL(/\/staff\/admin\/users/);
	await admin
		.getByRole('row', { name: new RegExp(email) })
		.getByRole('link')
		.click();
	await expect(admin.getByRole('heading', { level: 1 })).toContainText('Nieuwe Planner');
	await expectNoAxeViolations(admin);
	await admin.getByRole('button', { name: 'Reset second step' }).click();
	await expect(admin).toHaveTitle(/^Error: /);
	await admin.getByLabel('Reason for the reset').fill('Phone lost, reported at the service desk');
	await admin.getByRole('button', { name: 'Reset second step' }).click();
	await expect(admin.getByRole('status')).toContainText('The second step has been reset');

	await page.goto('/staff');
	await expect(page).toHaveURL(/\/auth\/login\?next=%2Fstaff/);
	const again = await enrol(page, email);
	expect(again).not.toBe(secret);
	await page.getByLabel('Code', { exact: true }).fill(await totpFor(again));
	await page.getByRole('button', { name: 'Confirm code' }).click();
	await page.getByRole('link', { name: 'I have saved my codes, continue' }).click();
	await expect(page).toHaveURL(/\/staff$/);

	await admin.goto('/staff/admin/users?lang=en');
	await admin
		.getByRole('row', { name: new RegExp(email) })
		.getByRole('link')
		.click();
	await admin.getByRole('button', { name: 'Disable account' }).click();
	await expect(admin.getByRole('status')).toContainText('The account has been disabled');
	await page.goto('/staff');
	await expect(page).toHaveURL(/\/auth\/login\?next=%2Fstaff/);
	await admin.context().close();
});

test('an applicant switches the second step on from their account page', async ({ page }) => {
	await signIn(page, 'applicant2@demo.test');
	await page.goto('/account/security?lang=en');
	await expect(page.getByText('The second step is off.')).toBeVisible();
	await page.getByRole('button', { name: 'Switch on the second step' }).click();
	await expect(page.locator('figure.qr svg')).toBeVisible();
	await expectNoAxeViolations(page);
	const secret = (await page.locator('.secret code').innerText()).replace(/\s/g, '');
	await page.getByLabel('Code', { exact: true }).fill(await totpFor(secret));
	await page.getByRole('button', { name: 'Confirm code' }).click();
	await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
	await expect(page.getByText('The second step is on.')).toBeVisible();
	await expect(page.getByRole('button', { name: 'Make new recovery codes' })).toBeVisible();
	await expectNoAxeViolations(page);

	await page.getByRole('button', { name: 'Sign out' }).click();
	await signIn(page, 'applicant2@demo.test', undefined, 'en', { totpSecret: secret });
	await expect(page).toHaveURL(/\/cases$/);
	// Switched off again, so the other tests find the demo applicant as README describes it.
	await page.goto('/account/security?lang=en');
	await page.getByLabel('Code', { exact: true }).fill(await totpFor(secret));
	await page.getByRole('button', { name: 'Switch off' }).click();
	await expect(page.getByText('The second step is off now.')).toBeVisible();
});

test('a reset link is built from ORIGIN, not from a forged Host header', async ({
	playwright,
	baseURL
}) => {
	const context = await playwright.request.newContext({
		baseURL,
		extraHTTPHeaders: { Origin: baseURL!, Host: 'evil.example' }
	});
	const before = mailCount();
	const response = await context.post('/auth/reset', {
		form: { email: 'planner@demo.test' },
		maxRedirects: 0
	});
	expect(response.status()).toBe(200);
	const mail = await waitForMail('planner@demo.test', before);
	expect(mail).not.toContain('evil.example');
	expect(mail).toContain(`${baseURL}/auth/reset/`);
	await context.dispose();
});
