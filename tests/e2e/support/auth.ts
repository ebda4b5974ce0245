import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'demo-password';

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD, lang = 'en'): Promise<void> {
	await page.goto(`/auth/login?lang=${lang}`);
	await page.getByLabel(lang === 'nl' ? 'E-mailadres' : 'Email address').fill(email);
	await page.getByLabel(lang === 'nl' ? 'Wachtwoord' : 'Password', { exact: true }).fill(password);
	await page.getByRole('button', { name: lang === 'nl' ? 'Inloggen' : 'Sign in' }).click();
	await expect(page).not.toHaveURL(/\/auth\/login/);
}
