import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { randomUUID } from 'node:crypto';
import { demoTotpSecret } from '../../../src/lib/server/demo/totp';
import { newApplicantCase } from './api';

export const DEMO_PASSWORD = 'demo-password';

const lastStep = new Map<string, number>();

/**
 * A fresh code for a TOTP secret, as an authenticator app would show it. The portal accepts each
 * step once and the one before and after the current one, so a persona signed in twice within 30
 * seconds gets the next step's code; past that, this waits for the clock, and adds the wait to the
 * test's time limit. A new worker process does not know which steps an earlier one used: the
 * sign-in helpers then try the next step.
 */
export async function totpFor(secret: string): Promise<string> {
	const now = () => Math.floor(Date.now() / 30_000);
	const step = Math.max(now() - 1, (lastStep.get(secret) ?? -Infinity) + 1);
	const started = Date.now();
	while (step > now() + 1) await new Promise((r) => setTimeout(r, 1000));
	lastStep.set(secret, step);
	// Waiting for the authenticator's clock is not the portal being slow: the test gets that time back.
	const waited = Date.now() - started;
	if (waited > 0) test.info().setTimeout(test.info().timeout + waited);
	return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), 6);
}

export interface SignInOptions {
	password?: string;
	lang?: 'en' | 'nl';
	/** The account's TOTP secret when the portal asks for a code; the demo accounts' fixed one by default. */
	totpSecret?: string;
}

/**
 * Signs a persona in through the pages: the password, then the code from the app when the portal
 * asks for it (staff and sponsor administrators).
 */
export async function signIn(
	page: Page,
	email: string,
	password = DEMO_PASSWORD,
	lang: 'en' | 'nl' = 'en',
	options: SignInOptions = {}
): Promise<void> {
	await page.goto(`/auth/login?lang=${lang}`);
	await page.getByLabel(lang === 'nl' ? 'E-mailadres' : 'Email address').fill(email);
	await page.getByLabel(lang === 'nl' ? 'Wachtwoord' : 'Password', { exact: true }).fill(password);
	await page.getByRole('button', { name: lang === 'nl' ? 'Inloggen' : 'Sign in' }).click();
	await expect(page).not.toHaveURL(/\/auth\/login(\?|$)/);
	for (let attempt = 0; attempt < 3 && /\/auth\/login\/verify/.test(page.url()); attempt++) {
		await page
			.getByLabel('Code', { exact: true })
			.fill(await totpFor(options.totpSecret ?? demoTotpSecret(email)));
		await page.getByRole('button', { name: lang === 'nl' ? 'Verder' : 'Continue' }).click();
		await expect(page.getByRole('heading', { level: 1 }))
			.not.toHaveText(lang === 'nl' ? 'Vul uw code in' : 'Enter your code', { timeout: 5000 })
			.catch(() => undefined);
	}
	await expect(page).not.toHaveURL(/\/auth\/login/);
}

/**
 * The same for a request context (no browser): posts the password and, when asked, the code.
 * Returns the last answer, a 303 to the person's landing page when all went well.
 */
export async function signInRequest(
	context: APIRequestContext,
	email: string,
	password = DEMO_PASSWORD,
	totpSecret = demoTotpSecret(email)
) {
	const first = await context.post('/auth/login', { form: { email, password }, maxRedirects: 0 });
	const location = first.headers()['location'] ?? '';
	if (first.status() !== 303 || !location.startsWith('/auth/login/verify')) return first;
	let response = first;
	for (let attempt = 0; attempt < 3; attempt++) {
		response = await context.post(location, {
			form: { code: await totpFor(totpSecret) },
			maxRedirects: 0
		});
		if (response.status() === 303) break;
	}
	return response;
}

/** Makes the account of a case's applicant with the code of its activation letter. */
export async function activate(
	page: Page,
	c: { vNumber: string; birthDate: string; code: string },
	email: string,
	password: string
) {
	await page.goto('/auth/activate?lang=en');
	await page.getByLabel('V-number').fill(c.vNumber);
	await page.getByLabel('Date of birth').fill(c.birthDate);
	await page.getByLabel('Activation code').fill(c.code);
	await page.getByLabel('Email address').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Create account' }).click();
}

/**
 * A new applicant's case through the event API (`newApplicantCase`), their account made with
 * its letter's code, and signed in on `page`; returns the case and how to sign in again.
 */
export async function signedInApplicant(
	page: Page,
	request: APIRequestContext,
	options: Parameters<typeof newApplicantCase>[1]
) {
	const c = await newApplicantCase(request, options);
	const email = `applicant-${randomUUID().slice(0, 8)}@example.test`;
	const password = 'a password of their own';
	await activate(page, c, email, password);
	await expect(page.getByRole('status')).toContainText('Your account is ready');
	await signIn(page, email, password);
	return { ...c, email, password };
}
