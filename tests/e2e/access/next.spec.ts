/**
 * After sign-in a person is sent to `next=`, but only ever on our origin: the Location header
 * is resolved here exactly as a browser resolves it.
 */
import { expect, request as requestFactory, test } from '@playwright/test';
import { baseURL } from '../../../playwright.config';
import { DEMO_PASSWORD } from '../support/auth';
import { hostileNext } from '../../unit/auth/next-corpus';

const origin = new URL(baseURL).origin;

const tried = [
	'/%09/evil.example',
	'/\\evil.example',
	'//evil.example',
	'https:evil.example',
	'/%2F%2Fevil.example',
	'/.//evil.example',
	'/\t/evil.example',
	'/\n/evil.example',
	'/\u2215evil.example',
	'/\uFF0Fevil.example',
	'/\u3002evil.example',
	'javascript:alert(1)',
	'/auth/login'
];

test('signing in with a hostile next= lands on our origin', async () => {
	expect(hostileNext).toEqual(expect.arrayContaining(tried));
	for (const next of tried) {
		const context = await requestFactory.newContext({
			baseURL,
			extraHTTPHeaders: { Origin: baseURL, Accept: 'text/html' },
			maxRedirects: 0
		});
		const response = await context.post(`/auth/login?next=${encodeURIComponent(next)}`, {
			form: { email: 'applicant@demo.test', password: DEMO_PASSWORD }
		});
		expect(response.status(), JSON.stringify(next)).toBe(303);
		const location = response.headers()['location'];
		expect(new URL(location, origin).origin, `${JSON.stringify(next)} → ${location}`).toBe(origin);
		expect(new URL(location, origin).pathname, JSON.stringify(next)).not.toMatch(/^\/auth\//);
		// Already signed in, the sign-in page sends them on by the same rule.
		const again = await context.get(`/auth/login?next=${encodeURIComponent(next)}`);
		expect(again.status(), JSON.stringify(next)).toBe(303);
		expect(new URL(again.headers()['location'], origin).origin, JSON.stringify(next)).toBe(origin);
		await context.dispose();
	}
});

test('a page of ours in next= is where the person lands', async () => {
	const context = await requestFactory.newContext({
		baseURL,
		extraHTTPHeaders: { Origin: baseURL, Accept: 'text/html' },
		maxRedirects: 0
	});
	const response = await context.post(
		`/auth/login?next=${encodeURIComponent('/cases/IND-2026-90000001?lang=en')}`,
		{ form: { email: 'applicant@demo.test', password: DEMO_PASSWORD } }
	);
	expect(response.headers()['location']).toBe('/cases/IND-2026-90000001?lang=en');
	await context.dispose();
});

test('in the browser, signing in with next=/\\t/evil.example stays on the portal', async ({
	page
}) => {
	await page.goto(`/auth/login?lang=en&next=${encodeURIComponent('/\t/evil.example')}`);
	await page.getByLabel('Email address').fill('applicant@demo.test');
	await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(`${origin}/cases`);
});

test('the language links of a page asked for as //other.host stay on the portal', async ({
	page
}) => {
	const response = await page.goto(`${baseURL}//evil.example/path`);
	expect(response?.status()).toBe(404);
	for (const link of await page
		.getByRole('navigation', { name: 'Kies een taal' })
		.getByRole('link')
		.all()) {
		const href = (await link.getAttribute('href'))!;
		expect(new URL(href, page.url()).origin, href).toBe(origin);
	}
});
