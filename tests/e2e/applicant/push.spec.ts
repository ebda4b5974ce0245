/**
 * Web push, the whole way: the applicant's browser gives the settings page a subscription (made
 * with WebCrypto as a browser makes one; Chromium's own push service is out of reach here), the
 * case system reports a new stage through the event API, and our own push service on 127.0.0.1
 * receives the message, which this test decrypts and whose VAPID signature it checks.
 */
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseURL } from '../../../playwright.config';
import { authorised, stageEntered } from '../support/api';
import { expectNoAxeViolations, expectNoAxeViolationsWithoutJs } from '../support/a11y';
import { signIn, signInRequest } from '../support/auth';
import { e2eStateDir } from '../support/paths';
import {
	browserKeys,
	decryptPush,
	startPushReceiver,
	testCertificate,
	verifyVapid,
	type PushReceiver
} from '../support/push';

const APPLICANT = 'applicant8@demo.test';
const CASE = 'IND-2026-90000008';
const texts = (lang: string) =>
	JSON.parse(readFileSync(join('src/lib/i18n/locales', lang, 'push.json'), 'utf8')) as Record<
		string,
		{ body: string }
	> & { title: string };

let receiver: PushReceiver;
test.beforeAll(async () => {
	receiver = await startPushReceiver(testCertificate(e2eStateDir));
});
test.afterAll(async () => {
	await receiver?.close();
});

/** Presses Tab until `target` has the focus, as a keyboard user reaches it. */
async function tabTo(page: Page, target: Locator) {
	for (let i = 0; i < 40; i++) {
		await page.keyboard.press('Tab');
		if (await target.evaluate((el) => el === document.activeElement)) return;
	}
	throw new Error('not reached with Tab');
}

/** Posts to one of the settings page's actions as its script does. */
function action(request: APIRequestContext, path: string, form: Record<string, string>) {
	return request.post(path, {
		form,
		headers: { origin: baseURL, 'x-sveltekit-action': 'true' },
		maxRedirects: 0
	});
}

test('a stage change reaches the applicant’s device as an encrypted push that says nothing personal', async ({
	page,
	playwright
}) => {
	await signIn(page, APPLICANT);
	await page.goto('/account/notifications');
	await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
	await expect(page.getByText('No device receives notifications yet.')).toBeVisible();
	const turnOn = page.getByRole('button', { name: 'Turn on notifications on this device' });
	await expect(turnOn).toBeVisible();
	await expect(page.getByText('Notifications need JavaScript.', { exact: false })).toHaveCount(0);
	await tabTo(page, turnOn);
	await expectNoAxeViolations(page);

	// The device subscribes through the real settings action, signed in as the applicant.
	const keys = await browserKeys();
	const endpoint = receiver.endpoint('e2e-device');
	const saved = await action(page.request, '/account/notifications?/subscribe', {
		endpoint,
		p256dh: keys.p256dh,
		auth: keys.auth
	});
	expect(saved.status()).toBe(200);
	expect(await saved.json()).toMatchObject({ type: 'success' });
	await page.reload();
	const remove = page.getByRole('button', { name: /^Stop notifications to Chrome/ });
	await expect(remove).toBeVisible();
	await expectNoAxeViolations(page);

	// A subscription the browser could never have made is refused with a message, and not stored.
	const bad = await action(page.request, '/account/notifications?/subscribe', {
		endpoint: 'http://127.0.0.1:9/not-https',
		p256dh: keys.p256dh,
		auth: keys.auth
	});
	expect(await bad.json()).toMatchObject({ type: 'failure', status: 400 });

	// The case system moves the case on.
	const began = Date.now();
	const moved = await page.request.post('/api/v1/events', {
		headers: authorised(),
		data: { events: [stageEntered(CASE, new Date().toISOString(), 'registration_interview')] }
	});
	expect(moved.status()).toBe(200);

	const push = await receiver.next('e2e-device', 20_000);
	test.info().annotations.push({
		type: 'push latency',
		description: `${Date.now() - began} ms from the event API's request to the push service`
	});
	expect(push.headers['content-encoding']).toBe('aes128gcm');
	const payload = decryptPush(push.body, keys);
	// The account's language (the demo accounts keep the default, Dutch).
	expect(payload).toEqual({
		title: 'Mijn Aanvraag',
		body: texts('nl').stage_changed.body,
		url: '/cases',
		tag: 'stage_changed'
	});
	expect(JSON.stringify(payload)).not.toMatch(/Demo Applicant|IND-2026|1000000008/);
	const vapid = await verifyVapid(push.headers.authorization as string);
	expect(vapid.aud).toBe(new URL(endpoint).origin);
	expect(vapid.exp * 1000).toBeGreaterThan(Date.now());

	// The page shows when the device last received one.
	await expect(async () => {
		await page.reload();
		await expect(page.getByRole('cell', { name: 'Not yet' })).toHaveCount(0, { timeout: 500 });
	}).toPass({ timeout: 10_000 });

	// Another applicant cannot remove it, however the address is spelled.
	const id = await page.locator('input[name="id"]').first().inputValue();
	const other = await playwright.request.newContext({ baseURL });
	try {
		await signInRequest(other, 'applicant2@demo.test');
		for (const path of [
			'/account/notifications?/unsubscribe',
			'/account/%6Eotifications?/unsubscribe',
			'/account/notifications/?/unsubscribe'
		]) {
			for (const form of [{ id }, { endpoint }] as Record<string, string>[]) {
				const answer = await action(other, path, form);
				const body = answer.status() === 200 ? await answer.json() : null;
				expect(body?.type ?? answer.status(), `${path} ${Object.keys(form)}`).not.toBe('success');
			}
		}
	} finally {
		await other.dispose();
	}
	await page.reload();
	await expect(remove).toBeVisible();

	// The applicant removes it, with the keyboard.
	await tabTo(page, remove);
	await page.keyboard.press('Enter');
	await expect(page.getByText('That device no longer receives notifications.')).toBeVisible();
	await expect(page.getByText('No device receives notifications yet.')).toBeVisible();
});

test('the settings page says that notifications need JavaScript when it is off', async ({
	browser
}) => {
	const context = await browser.newContext({ javaScriptEnabled: false });
	try {
		const page = await context.newPage();
		await signIn(page, APPLICANT);
		await page.goto('/account/notifications');
		await expect(page.getByText('Notifications need JavaScript.', { exact: false })).toBeVisible();
		await expect(
			page.getByRole('button', { name: 'Turn on notifications on this device' })
		).toHaveCount(0);
		await expectNoAxeViolationsWithoutJs(page);
	} finally {
		await context.close();
	}
});

test('the settings page reads right to left in Arabic and Persian, with nothing for axe to find', async ({
	page
}) => {
	await signIn(page, APPLICANT);
	for (const lang of ['ar', 'fa']) {
		await page.goto(`/account/notifications?lang=${lang}`);
		await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
		await expect(page.locator('html')).toHaveAttribute('lang', lang);
		await expect(
			page.getByRole('heading', { level: 1, name: lang === 'ar' ? 'الإشعارات' : 'اعلان‌ها' })
		).toBeVisible();
		// The button appears once the script has looked at the browser; its text came with the page,
		// so it is never empty while i18next loads.
		const turnOn = (texts(lang) as unknown as { settings: { turn_on: string } }).settings.turn_on;
		expect(await page.locator('#page-texts').textContent()).toContain(turnOn);
		await expect(page.getByRole('button', { name: turnOn })).toBeVisible();
		await expectNoAxeViolations(page);
	}
});

test('staff and referents have no notifications page', async ({ page }) => {
	await signIn(page, 'referent@demo.test');
	const response = await page.goto('/account/notifications');
	expect(response?.status()).toBe(403);
});
