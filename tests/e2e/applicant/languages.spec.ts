/**
 * The applicant's pages in each of the seven languages: every text translated (no key shows), the
 * right <html lang dir>, a font for every character, axe, and a phone-sized screenshot of the case
 * page per language in the test output.
 */
import { expect, test, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { expectNoAxeViolations } from '../support/a11y';
import { DEMO_PASSWORD, signIn } from '../support/auth';
import { missingGlyphs } from '../support/glyphs';

const CASE = 'IND-2026-90000001';
const phone = { width: 360, height: 740 };
const LOCALES = 'src/lib/i18n/locales';

/** Each language, its direction, and the script most of its letters are in. */
const languages = [
	{ code: 'nl', dir: 'ltr', script: /\p{Script=Latin}/u },
	{ code: 'en', dir: 'ltr', script: /\p{Script=Latin}/u },
	{ code: 'ar', dir: 'rtl', script: /\p{Script=Arabic}/u },
	{ code: 'fa', dir: 'rtl', script: /\p{Script=Arabic}/u },
	{ code: 'ti', dir: 'ltr', script: /\p{Script=Ethiopic}/u },
	{ code: 'tr', dir: 'ltr', script: /\p{Script=Latin}/u },
	{ code: 'uk', dir: 'ltr', script: /\p{Script=Cyrillic}/u }
] as const;
type Lang = (typeof languages)[number];

/** Every message key, as a page that lacked its text would show it: `cases.back`, `cases:back`. */
const keys = (() => {
	const found = new Set<string>();
	for (const file of readdirSync(`${LOCALES}/en`)) {
		const ns = file.replace('.json', '');
		const walk = (value: unknown, prefix: string) => {
			if (value && typeof value === 'object')
				for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
			else
				for (const key of [prefix, prefix.replace(/_(zero|one|two|few|many|other)$/, '')]) {
					found.add(key);
					found.add(`${ns}:${key}`);
				}
		};
		walk(JSON.parse(readFileSync(`${LOCALES}/en/${file}`, 'utf8')), '');
	}
	return [...found];
})();

const translations = JSON.parse(readFileSync('src/lib/i18n/translations.json', 'utf8')) as Record<
	string,
	{ status: string }
>;

const common = (lang: string) =>
	JSON.parse(readFileSync(`${LOCALES}/${lang}/common.json`, 'utf8')) as {
		language: { machine_draft: string };
		skip_link: string;
	};

/** Everything a person reads or hears on the page: its text, title and accessible labels. */
async function pageTexts(page: Page): Promise<string[]> {
	return page.evaluate(() => [
		document.title,
		document.body.innerText,
		...[...document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')].flatMap((e) =>
			['aria-label', 'title', 'alt', 'placeholder'].map((a) => e.getAttribute(a) ?? '')
		)
	]);
}

/** Opens a page in a language and checks what every language must get right. */
async function expectInLanguage(page: Page, path: string, lang: Lang): Promise<void> {
	const response = await page.goto(`${path}${path.includes('?') ? '&' : '?'}lang=${lang.code}`);
	const where = `${path} in ${lang.code}`;
	expect(response?.status(), where).toBe(200);
	await expect(page.locator('html'), where).toHaveAttribute('lang', lang.code);
	await expect(page.locator('html'), where).toHaveAttribute('dir', lang.dir);

	const texts = await pageTexts(page);
	const tokens = new Set(
		texts.flatMap((t) => t.match(/[a-z][a-z0-9_]*(?:[.:][a-z0-9_]+)+|[a-z]+_[a-z0-9_]+/g) ?? [])
	);
	expect(
		keys.filter((k) => tokens.has(k)),
		`message keys shown on ${where}`
	).toEqual([]);

	// Not Dutch in place of a missing text: most letters of the main text are in the language's script.
	const main = await page.getByRole('main').innerText();
	const letters = main.match(/\p{L}/gu) ?? [];
	const share = letters.filter((l) => lang.script.test(l)).length / letters.length;
	expect(share, `share of ${lang.script} letters on ${where}`).toBeGreaterThan(0.5);
	if (lang.code === 'tr') expect(main, where).toMatch(/[ığşİ]/);
	await expect(page.getByRole('link', { name: common(lang.code).skip_link })).toBeAttached();

	// A machine-drafted language says so, in that language, and offers Dutch and English.
	const draft = translations[lang.code].status;
	const notice = page.getByRole('banner').getByText(common(lang.code).language.machine_draft);
	if (draft === 'machine-draft') {
		await expect(notice, where).toBeVisible();
		const banner = page.getByRole('banner');
		await expect(banner.getByRole('link', { name: 'Nederlands' })).toHaveCount(2);
		await expect(banner.getByRole('link', { name: 'English' })).toHaveCount(2);
	} else await expect(notice, where).toHaveCount(0);

	expect(await missingGlyphs(page), `characters drawn as boxes on ${where}`).toEqual([]);
	await expectNoAxeViolations(page);
}

test.describe('in every language', () => {
	test.use({ viewport: phone });
	test.describe.configure({ timeout: 180_000 });

	test('the case page, the case list, sign-in and activation', async ({ page, browser }, info) => {
		const context = await browser.newContext({ viewport: phone });
		const visitor = await context.newPage();
		for (const lang of languages) {
			await expectInLanguage(visitor, '/auth/login', lang);
			await expectInLanguage(visitor, '/auth/activate', lang);
		}
		await context.close();

		await signIn(page, 'applicant@demo.test');
		for (const lang of languages) {
			await expectInLanguage(page, '/cases', lang);
			await expectInLanguage(page, `/cases/${CASE}`, lang);
			await expect(page.getByText(CASE).first()).toBeVisible();
			const shot = await page.screenshot({
				path: info.outputPath(`case-page-${lang.code}.png`),
				fullPage: true
			});
			await info.attach(`case page in ${lang.code}`, { body: shot, contentType: 'image/png' });
		}
		// Each switch is kept with the account: Dutch again, as the demo applicant has it elsewhere.
		await page.goto('/cases?lang=nl');
	});

	test('the chosen language is kept with the account, and a new device starts in it', async ({
		page,
		browser
	}) => {
		await signIn(page, 'applicant@demo.test');
		await page.goto(`/cases/${CASE}?lang=tr`);
		await expect(page.locator('html')).toHaveAttribute('lang', 'tr');

		// Another device: no language cookie, a browser that asks for English.
		const context = await browser.newContext({ viewport: phone, locale: 'en-GB' });
		const other = await context.newPage();
		await other.goto('/auth/login');
		await expect(other.locator('html')).toHaveAttribute('lang', 'en');
		await other.getByLabel('Email address').fill('applicant@demo.test');
		await other.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
		await other.getByRole('button', { name: 'Sign in' }).click();
		await expect(other).toHaveURL(/\/cases$/);
		await expect(other.locator('html')).toHaveAttribute('lang', 'tr');
		// From then on the device remembers it, as it would a choice made on it.
		await other.goto(`/cases/${CASE}`);
		await expect(other.locator('html')).toHaveAttribute('lang', 'tr');
		await context.close();

		// Dutch again, as the demo applicant has it for the other tests.
		await page.goto(`/cases/${CASE}?lang=nl`);
		await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
	});

	test('the detector finds a character no font has', async ({ page }) => {
		// Kawi (Unicode 15) is in no font on these machines: its letter must be reported. The text
		// goes outside the app's root, which hydration would empty.
		await page.goto('/auth/login?lang=en');
		await page.evaluate(() => {
			const p = document.createElement('p');
			p.textContent = `Kawi ${String.fromCodePoint(0x11f04)} ትግርኛ العربية`;
			document.body.append(p);
		});
		expect(await missingGlyphs(page)).toEqual(['𑼄 U+11F04']);
	});
});
