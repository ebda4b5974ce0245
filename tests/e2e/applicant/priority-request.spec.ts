/**
 * A request for faster handling, end to end: the applicant files it with a PDF on a phone without
 * JavaScript, in Dutch; a triage officer accepts it and a second officer confirms; the applicant's
 * case then waits in the priority stream, ahead of the normal one, which they read in Arabic too.
 * On the other path an applicant files in Arabic, an officer does not accept the request and the
 * applicant reads the reasons. axe checks each page, those without JavaScript as they were shown.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { expectNoAxeViolations, expectNoAxeViolationsWithoutJs } from '../support/a11y';
import { signIn } from '../support/auth';
import { mailCount, waitForMail } from '../support/mail';

const ACCEPTED_CASE = 'IND-2026-90000005';
const REFUSED_CASE = 'IND-2026-90000006';
const phone = { width: 390, height: 844 };

const PDF = Buffer.from(
	'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Verklaring van de huisarts\ntrailer << /Root 1 0 R >>\n%%EOF\n'
);
/** A 2×2 PNG. */
const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4IScHRAwQCgAfJgQRoo8irwAAAABJRU5ErkJggg==',
	'base64'
);
/** A Windows executable's first bytes, named as a PDF. */
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(0x3a), Buffer.from([0x80, 0, 0, 0])]);

type Lang = 'nl' | 'ar';

/**
 * The text a person reads in their language, from the portal's own translations: a key missing in
 * a language fails the test instead of matching the Dutch or English fallback.
 */
function textsOf(lang: Lang) {
	const read = (ns: string) =>
		JSON.parse(readFileSync(`src/lib/i18n/locales/${lang}/${ns}.json`, 'utf8'));
	const files: Record<string, unknown> = {
		triage: read('triage'),
		common: read('common'),
		cases: read('cases')
	};
	return (key: string, values: Record<string, string> = {}): string => {
		const [ns, path] = key.split(':');
		const text = path
			.split('.')
			.reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], files[ns]);
		if (typeof text !== 'string') throw new Error(`no ${lang} text for ${key}`);
		return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? `{{${name}}}`);
	};
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function positionOn(page: Page): Promise<number> {
	const text = await page.getByText(/U bent nummer [\d.]+ van de/).textContent();
	return Number(/nummer ([\d.]+) van/.exec(text!)![1].replaceAll('.', ''));
}

async function asPerson(browser: Browser, email: string, lang: 'nl' | 'en', js = true) {
	const context = await browser.newContext({ viewport: phone, javaScriptEnabled: js });
	const page = await context.newPage();
	await signIn(page, email, undefined, lang);
	return { context, page };
}

/** The applicant fills in and sends a request in their language; returns the request's number. */
async function fileRequest(page: Page, reference: string, lang: Lang, js: boolean) {
	const t = textsOf(lang);
	const check = () => (js ? expectNoAxeViolations(page) : expectNoAxeViolationsWithoutJs(page));
	const summary = page.locator('.error-summary');
	await page.goto(`/cases/${reference}/priority-request?lang=${lang}`);
	await expect(page.locator('html')).toHaveAttribute('dir', lang === 'ar' ? 'rtl' : 'ltr');
	await expect(page.getByRole('heading', { level: 1, name: t('triage:title') })).toBeVisible();
	await expect(page.getByText(t('triage:not_a_permit.title')).first()).toBeVisible();
	await check();
	await page.getByRole('button', { name: t('triage:start') }).click();

	// A renamed executable is refused by its content, and nothing of the form is stored with it.
	await page.getByRole('checkbox', { name: t('triage:grounds.medical.label') }).check();
	await page
		.getByLabel(t('triage:form.explanation_label'))
		.fill('Mijn dochter moet geopereerd worden.');
	const choose = page.getByLabel(t('triage:documents.label'));
	await choose.setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: EXE });
	await page.getByRole('button', { name: t('triage:form.save') }).click();
	await expect(page).toHaveTitle(new RegExp(`^${escape(t('common:error_prefix'))}`));
	// The consent is missing too: both are said at once, and nothing is saved.
	await expect(
		summary.getByRole('link', { name: t('triage:errors.health_consent_required') })
	).toBeVisible();
	await expect(
		summary.getByRole('link', { name: t('triage:errors.document_type', { name: 'scan.pdf' }) })
	).toBeVisible();
	await check();
	await page.getByRole('checkbox', { name: t('triage:form.consent_label') }).check();
	await choose.setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: EXE });
	await page.getByRole('button', { name: t('triage:form.save') }).click();
	await expect(
		summary.getByRole('link', { name: t('triage:errors.document_type', { name: 'scan.pdf' }) })
	).toBeVisible();
	await expect(page.getByText(t('triage:documents.none'))).toBeVisible();

	// The real PDF, and a photo of a letter.
	await choose.setInputFiles([
		{ name: 'verklaring-huisarts.pdf', mimeType: 'application/pdf', buffer: PDF },
		{ name: 'brief-ziekenhuis.png', mimeType: 'image/png', buffer: PNG }
	]);
	await page.getByRole('button', { name: t('triage:form.continue') }).click();
	await expect(
		page.getByRole('heading', { level: 1, name: t('triage:check.title') })
	).toBeVisible();
	await expect(page.getByText('verklaring-huisarts.pdf')).toBeVisible();
	await check();

	// Without the declaration it is not sent.
	await page.getByRole('button', { name: t('triage:check.send') }).click();
	await expect(summary).toContainText(t('triage:errors.declaration_required'));
	await check();
	await page.getByRole('checkbox', { name: t('triage:check.declaration') }).check();
	await page.getByRole('button', { name: t('triage:check.send') }).click();
	await expect(
		page.getByRole('heading', { level: 1, name: t('triage:receipt.title') })
	).toBeVisible();
	const number = (await page.locator('.reference').textContent())!.trim();
	expect(number).toMatch(/^VSB-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
	const target = t('triage:receipt.target').split('{{date}}').map(escape).join('.+');
	await expect(page.getByText(new RegExp(target))).toBeVisible();
	await check();
	return number;
}

async function openRequest(page: Page, number: string) {
	await page.goto('/staff/triage?lang=en');
	await expect(
		page.getByRole('heading', { level: 1, name: 'Requests for faster handling' })
	).toBeVisible();
	await page.getByRole('link', { name: number }).click();
	await expect(page.getByRole('heading', { level: 1, name: `Request ${number}` })).toBeVisible();
}

/** A triage officer proposes to accept the open request; it waits for a second officer. */
async function proposeAcceptance(page: Page) {
	await page.getByRole('checkbox', { name: /The documents show the situation/ }).check();
	await page.getByRole('radio', { name: 'Accepted', exact: true }).check();
	await page
		.getByRole('checkbox', { name: /Your health, or the health of a family member/ })
		.check();
	await page.getByRole('button', { name: 'Record the decision' }).click();
	await expect(page.getByText(/A second triage officer must confirm it/)).toBeVisible();
}

test('the demo applicant files a request with a PDF; two officers accept it; the case moves ahead', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const applicant = await asPerson(browser, 'applicant5@demo.test', 'nl', false);
	await applicant.page.goto(`/cases/${ACCEPTED_CASE}?lang=nl`);
	const before = await positionOn(applicant.page);
	expect(before).toBeGreaterThan(1);
	const number = await fileRequest(applicant.page, ACCEPTED_CASE, 'nl', false);

	const first = await asPerson(browser, 'triage@demo.test', 'en');
	await openRequest(first.page, number);
	await expect(first.page.getByRole('link', { name: 'verklaring-huisarts.pdf' })).toBeVisible();
	await expectNoAxeViolations(first.page);
	const download = await first.page.request.get(
		(await first.page.getByRole('link', { name: 'verklaring-huisarts.pdf' }).getAttribute('href'))!
	);
	expect(download.headers()['content-type']).toBe('application/pdf');
	expect(download.headers()['content-disposition']).toMatch(/^attachment;/);
	expect(download.headers()['x-content-type-options']).toBe('nosniff');
	expect(download.headers()['content-security-policy']).toMatch(/sandbox/);
	// Asked for inline, a PDF still comes as an attachment.
	const pdfInline = await first.page.request.get(
		`${await first.page.getByRole('link', { name: 'verklaring-huisarts.pdf' }).getAttribute('href')}?inline`
	);
	expect(pdfInline.headers()['content-disposition']).toMatch(/^attachment;/);
	// The photo is shown in the page, by the same access-checked address, with its name as its text.
	const photo = first.page.getByRole('img', { name: 'brief-ziekenhuis.png' });
	await expect(photo).toBeVisible();
	await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(2);
	const inline = await first.page.request.get((await photo.getAttribute('src'))!);
	expect(inline.headers()['content-type']).toBe('image/png');
	expect(inline.headers()['content-disposition']).toMatch(/^inline;/);
	expect(inline.headers()['x-content-type-options']).toBe('nosniff');
	expect(inline.headers()['content-security-policy']).toMatch(/sandbox/);
	expect(inline.headers()['cache-control']).toBe('private, no-store');
	// Only officers: the applicant does not get it by this address.
	expect((await applicant.page.request.get((await photo.getAttribute('src'))!)).status()).toBe(403);

	await proposeAcceptance(first.page);
	// The officer who proposed it is not offered the confirmation.
	await expect(first.page.getByRole('button', { name: 'Confirm the acceptance' })).toHaveCount(0);
	// Not in effect yet: the applicant still waits in the normal stream.
	await applicant.page.goto(`/cases/${ACCEPTED_CASE}?lang=nl`);
	await expect(applicant.page.getByText(/Uw aanvraag heeft voorrang gekregen/)).toHaveCount(0);

	// The second officer first sends the proposal back, with a reason the first officer reads.
	const second = await asPerson(browser, 'triage2@demo.test', 'en');
	await openRequest(second.page, number);
	await second.page.getByRole('button', { name: 'Send the proposal back' }).click();
	await expect(second.page.locator('.error-summary')).toContainText(
		'Say why you send the proposal back'
	);
	await second.page
		.getByLabel('Why you do not confirm it')
		.fill('Tick the condition about the wait as well, if it is met.');
	await second.page.getByRole('button', { name: 'Send the proposal back' }).click();
	await expect(second.page.getByText('The proposal has been sent back.')).toBeVisible();
	await expectNoAxeViolations(second.page);
	await first.page.reload();
	await expect(
		first.page.getByText(/Your proposal to accept this request was sent back/)
	).toBeVisible();
	await expect(
		first.page.getByText('Tick the condition about the wait as well, if it is met.')
	).toBeVisible();
	await first.page.getByRole('checkbox', { name: /caused, or made worse, by waiting/ }).check();
	await proposeAcceptance(first.page);

	await openRequest(second.page, number);
	const mailsBefore = mailCount();
	await second.page.getByRole('button', { name: 'Confirm the acceptance' }).click();
	await expect(second.page.getByText(/The case is now in the priority stream/)).toBeVisible();
	// Now that the decision is in effect, the applicant gets an e-mail about it.
	const mail = await waitForMail('applicant5@demo.test', mailsBefore);
	expect(mail).toContain(number);
	await expectNoAxeViolations(second.page);

	await applicant.page.goto(`/cases/${ACCEPTED_CASE}?lang=nl`);
	await expect(applicant.page.getByText(/Uw aanvraag heeft voorrang gekregen/)).toBeVisible();
	expect(await positionOn(applicant.page)).toBeLessThan(before);
	await applicant.page.goto(`/cases/${ACCEPTED_CASE}/priority-request?lang=nl`);
	await expect(applicant.page.getByText('Uw verzoek is toegekend.')).toBeVisible();
	await expectNoAxeViolationsWithoutJs(applicant.page);
	// The same, read in Arabic, right to left.
	const ar = textsOf('ar');
	await applicant.page.goto(`/cases/${ACCEPTED_CASE}/priority-request?lang=ar`);
	await expect(applicant.page.locator('html')).toHaveAttribute('dir', 'rtl');
	await expect(applicant.page.getByText(ar('triage:past.accepted'))).toBeVisible();
	await expectNoAxeViolationsWithoutJs(applicant.page);
	await applicant.page.goto(`/cases/${ACCEPTED_CASE}?lang=ar`);
	await expect(applicant.page.getByText(ar('cases:turn.priority'))).toBeVisible();
	await expectNoAxeViolationsWithoutJs(applicant.page);
	for (const c of [applicant, first, second]) await c.context.close();
});

test('an applicant files in Arabic; on the refused path they read the reasons', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const applicant = await asPerson(browser, 'applicant6@demo.test', 'nl');
	const number = await fileRequest(applicant.page, REFUSED_CASE, 'ar', true);

	const officer = await asPerson(browser, 'triage@demo.test', 'en');
	await openRequest(officer.page, number);
	await officer.page.getByRole('radio', { name: 'Not accepted' }).check();
	await officer.page
		.getByRole('checkbox', { name: /The situation is serious, but a faster decision/ })
		.check();
	await officer.page
		.getByLabel('Explanation for the applicant (optional)')
		.fill('The operation is planned after the date we expect to decide on your application.');
	await officer.page.getByRole('button', { name: 'Record the decision' }).click();
	await expect(officer.page.getByText('The decision has been recorded.')).toBeVisible();

	await applicant.page.goto(`/cases/${REFUSED_CASE}/priority-request?lang=ar`);
	await expect(applicant.page.locator('html')).toHaveAttribute('dir', 'rtl');
	await expect(applicant.page.getByText('لم يُقبل طلبك.')).toBeVisible();
	await expect(
		applicant.page.getByText('الوضع خطير، لكن القرار الأسرع لن يغيّره في الوقت المناسب.')
	).toBeVisible();
	await expect(applicant.page.getByText(/The operation is planned after the date/)).toBeVisible();
	await expect(applicant.page.getByRole('heading', { name: 'ما يمكنك فعله الآن' })).toBeVisible();
	await expectNoAxeViolations(applicant.page);
	for (const c of [applicant, officer]) await c.context.close();
});
