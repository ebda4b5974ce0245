/**
 * The applicant books, moves, downloads and cancels their hearing, joins the waitlist and accepts
 * an offer, on a phone, in Dutch with the mouse and in Arabic with the keyboard alone; axe checks
 * every step. The offer comes the real way: a third applicant books the only room of a Zevenaar
 * time and cancels it, and the freed place goes to the first in line, whose e-mail links to it.
 */
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import { baseURL } from '../../../playwright.config';
import { expectNoAxeViolations } from '../support/a11y';
import { signIn } from '../support/auth';
import { mailCount, waitForMail } from '../support/mail';
import { e2ePlanningFile } from '../support/paths';

const CASE_A = 'IND-2026-90000001';
const CASE_C = 'IND-2026-90000003';
/** Booked for tomorrow at 12:00 in Den Bosch (serve.ts): within the 48-hour cut-off. */
const CASE_D = 'IND-2026-90000004';
const phone = { width: 390, height: 844 };
const DAY = 86_400_000;

type Lang = 'nl' | 'ar';

/** The texts the tests look for, as the pages show them. */
const texts = {
	nl: {
		locale: 'nl-NL',
		bookLink: 'Maak uw afspraak',
		invited: /Maak een afspraak voor uw aanmeldgehoor vóór/,
		where: 'Waar wilt u naartoe?',
		day: 'Welke dag?',
		time: 'Hoe laat?',
		next: 'Verder',
		confirm: 'Deze afspraak maken',
		confirmMove: 'Mijn afspraak naar deze tijd verzetten',
		booked: 'Uw afspraak is gemaakt. Hieronder staat uw afsprakenkaart.',
		moved: 'Uw afspraak is verzet. Hieronder staat uw nieuwe afsprakenkaart.',
		cancelled: 'Uw afspraak is afgezegd. U kunt hieronder een nieuwe tijd kiezen.',
		move: 'Mijn afspraak verzetten',
		cancel: 'Mijn afspraak afzeggen',
		cancelYes: 'Ja, zeg mijn afspraak af',
		ics: 'Zet in uw agenda (.ics-bestand)',
		waitlist: 'Laat het mij weten als er een eerdere tijd vrijkomt',
		onWaitlist: 'U staat op de wachtlijst.',
		accept: 'Deze tijd kiezen',
		accepted: 'U hebt de eerdere tijd gekozen. Hieronder staat uw afsprakenkaart.',
		qr: /QR-code van uw afspraaknummer OAP-/,
		reference: 'Afspraaknummer',
		tooLate:
			'Uw afspraak begint over minder dan 48 uur. U kunt de afspraak niet meer online verzetten of afzeggen.',
		call: 'Kunt u niet komen? Bel de IND zo snel mogelijk:'
	},
	ar: {
		locale: 'ar-u-nu-latn',
		bookLink: 'احجز موعدك',
		invited: /احجز موعد مقابلة التسجيل قبل/,
		where: 'إلى أين تريد الذهاب؟',
		day: 'أي يوم؟',
		time: 'في أي ساعة؟',
		next: 'متابعة',
		confirm: 'احجز هذا الموعد',
		confirmMove: 'انقل موعدي إلى هذا الوقت',
		booked: 'تم حجز موعدك. بطاقة موعدك أدناه.',
		moved: 'تم نقل موعدك. بطاقة موعدك الجديدة أدناه.',
		cancelled: 'تم إلغاء موعدك. يمكنك حجز وقت جديد أدناه.',
		move: 'انقل موعدي',
		cancel: 'ألغِ موعدي',
		cancelYes: 'نعم، ألغِ موعدي',
		ics: 'أضف الموعد إلى تقويمك (ملف ‎.ics)',
		waitlist: 'أخبرني إذا أصبح وقت أبكر متاحًا',
		onWaitlist: 'أنت في قائمة الانتظار.',
		accept: 'اقبل هذا الوقت',
		accepted: 'قبلت الوقت الأبكر. بطاقة موعدك أدناه.',
		qr: /رمز QR لرقم موعدك OAP-/,
		reference: 'رقم الموعد',
		tooLate: 'يبدأ موعدك بعد أقل من 48 ساعة. لم يعد بإمكانك نقله أو إلغاؤه عبر الإنترنت.',
		call: 'لا تستطيع الحضور؟ اتصل بدائرة الهجرة والتجنيس (IND) في أقرب وقت ممكن:'
	}
} as const;

/** How the day step labels a day, in the page's language and Amsterdam's calendar. */
function dayLabel(lang: Lang, moment: number): string {
	return new Intl.DateTimeFormat(texts[lang].locale, {
		weekday: 'long',
		day: 'numeric',
		month: 'long',
		timeZone: 'Europe/Amsterdam'
	}).format(new Date(moment));
}

/** Moves focus with Tab alone until `target` has it. */
async function tabTo(page: Page, target: Locator, limit = 80): Promise<void> {
	for (let i = 0; i < limit; i += 1) {
		if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
		await page.keyboard.press('Tab');
	}
	await expect(target).toBeFocused();
}

/** Chooses a radio by keyboard: Tab into its group, Space on the first, arrows to the one wanted. */
async function chooseByKeyboard(page: Page, group: Locator, wanted: Locator): Promise<void> {
	const first = group.getByRole('radio').first();
	await tabTo(page, first);
	await page.keyboard.press('Space');
	for (let i = 0; i < 60 && !(await wanted.isChecked()); i += 1)
		await page.keyboard.press('ArrowDown');
	await expect(wanted).toBeChecked();
}

interface Driver {
	page: Page;
	lang: Lang;
	keyboard: boolean;
	/** false without JavaScript: axe runs in the page. */
	axe?: boolean;
}

async function checkAxe(d: Driver): Promise<void> {
	if (d.axe !== false) await expectNoAxeViolations(d.page);
}

/** Follows a link or presses a button, with the mouse or with the keyboard. */
async function activate(d: Driver, target: Locator): Promise<void> {
	if (d.keyboard) {
		await tabTo(d.page, target);
		await d.page.keyboard.press('Enter');
	} else await target.click();
}

async function choose(d: Driver, legend: string, wanted: Locator): Promise<void> {
	if (d.keyboard)
		await chooseByKeyboard(d.page, d.page.getByRole('group', { name: legend }), wanted);
	else await wanted.check();
}

/** The first day offered at least `minDays` ahead (past the 48-hour cut-off), from the end when `fromEnd`. */
async function pickDay(d: Driver, minDays: number, fromEnd = false): Promise<string> {
	const group = d.page.getByRole('group', { name: texts[d.lang].day });
	const labels: string[] = [];
	for (let i = minDays; i < 40; i += 1) labels.push(dayLabel(d.lang, Date.now() + i * DAY));
	if (fromEnd) labels.reverse();
	for (const label of labels) {
		const radio = group.getByRole('radio', { name: label, exact: true });
		if ((await radio.count()) === 1) {
			await choose(d, texts[d.lang].day, radio);
			return label;
		}
	}
	throw new Error('no day offered');
}

/** Location, day and first time, through the GET steps; ends on the confirm step. Returns the time shown. */
async function chooseTime(d: Driver, location: string, minDays: number, fromEnd = false) {
	const t = texts[d.lang];
	await expect(d.page.getByRole('group', { name: t.where })).toBeVisible();
	await checkAxe(d);
	await choose(d, t.where, d.page.getByRole('radio', { name: location }));
	await activate(d, d.page.getByRole('button', { name: t.next }));
	await expect(d.page.getByRole('group', { name: t.day })).toBeVisible();
	await checkAxe(d);
	await pickDay(d, minDays, fromEnd);
	await activate(d, d.page.getByRole('button', { name: t.next }));
	const times = d.page.getByRole('group', { name: t.time });
	await expect(times).toBeVisible();
	await checkAxe(d);
	const first = times.getByRole('radio').first();
	const label = (await times.locator('label').first().textContent())!.trim();
	await choose(d, t.time, first);
	await activate(d, d.page.getByRole('button', { name: t.next }));
	await expect(d.page).toHaveURL(/slot=\d+/);
	await checkAxe(d);
	return label;
}

/** The start time of a "09:00 tot 10:00" label. */
const startOf = (label: string) => /(\d{1,2}:\d{2})/.exec(label)![1];

async function appointmentReference(page: Page): Promise<string> {
	return (await page
		.getByText(/^OAP-[0-9A-Z]{4}-[0-9A-Z]{4}$/)
		.first()
		.textContent())!.trim();
}

/** Applicant C books the only room of a Zevenaar time and cancels it: a scarce place frees up. */
async function freeScarcePlace(browser: Browser): Promise<void> {
	const context = await browser.newContext({ viewport: phone });
	const page = await context.newPage();
	await signIn(page, 'applicant3@demo.test', undefined, 'nl');
	await page.goto(`/cases/${CASE_C}/appointment?lang=nl`);
	const d: Driver = { page, lang: 'nl', keyboard: false };
	await chooseTime(d, 'IND Zevenaar', 3);
	await page.getByRole('button', { name: texts.nl.confirm }).click();
	await expect(page.getByText(texts.nl.booked)).toBeVisible();
	await page.getByRole('link', { name: texts.nl.cancel }).click();
	await page.getByRole('button', { name: texts.nl.cancelYes }).click();
	await expect(page.getByText(texts.nl.cancelled)).toBeVisible();
	await context.close();
}

async function fullJourney(d: Driver, browser: Browser): Promise<void> {
	const { page, lang } = d;
	const t = texts[lang];
	await signIn(page, 'applicant@demo.test', undefined, 'nl');
	await page.goto(`/cases/${CASE_A}?lang=${lang}`);
	await expect(page.getByText(t.invited)).toBeVisible();
	await activate(d, page.getByRole('link', { name: t.bookLink }));

	// Book, late in the period, so an earlier time can be offered later.
	const booked = await chooseTime(d, 'IND Ter Apel', 10, true);
	const confirm = page.getByRole('button', { name: t.confirm });
	if (d.keyboard) await activate(d, confirm);
	// Two clicks in a row send the same idempotency key twice: one booking.
	else await confirm.dblclick();
	await expect(page.getByText(t.booked)).toBeVisible();
	await expectNoAxeViolations(page);
	const first = await appointmentReference(page);
	await expect(page.getByRole('img', { name: t.qr })).toBeVisible();
	await expect(page.getByText(booked).first()).toBeVisible();

	// The calendar file parses, and its local start is the time the card shows.
	const download = page.waitForEvent('download');
	await activate(d, page.getByRole('link', { name: t.ics }));
	const file = await download;
	const ics = readFileSync((await file.path())!, 'utf8');
	const vevent = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
	const dtstart = vevent.getFirstProperty('dtstart')!;
	expect(dtstart.getParameter('tzid')).toBe('Europe/Amsterdam');
	expect(String(dtstart.getFirstValue()).slice(11, 16)).toBe(startOf(booked).padStart(5, '0'));
	expect(vevent.getFirstPropertyValue('uid')).toContain(first);

	// Move it: the same steps, then the old one is replaced.
	await activate(d, page.getByRole('link', { name: t.move }));
	await chooseTime(d, 'IND Ter Apel', 9, true);
	await activate(d, page.getByRole('button', { name: t.confirmMove }));
	await expect(page.getByText(t.moved)).toBeVisible();
	await expectNoAxeViolations(page);
	const moved = await appointmentReference(page);
	expect(moved).not.toBe(first);

	// Booked, and still "tell me if an earlier time frees up".
	await activate(d, page.getByRole('button', { name: t.waitlist }));
	await expect(page.getByText(t.onWaitlist).first()).toBeVisible();
	await expectNoAxeViolations(page);

	// Someone cancels a scarce earlier place: it is offered to the first in line, by e-mail.
	const before = mailCount();
	await freeScarcePlace(browser);
	const mail = await waitForMail('applicant@demo.test', before);
	const link = /https?:\/\/\S+\/cases\/IND-2026-90000001\/appointment\/offer\/\d+/.exec(mail)![0];
	expect(new URL(link).origin).toBe(baseURL);
	await page.goto(new URL(link).pathname);
	await expectNoAxeViolations(page);
	await expect(page.getByText('IND Zevenaar')).toBeVisible();
	await activate(d, page.getByRole('button', { name: t.accept }));
	await expect(page.getByText(t.accepted)).toBeVisible();
	await expect(page.getByText('IND Zevenaar').first()).toBeVisible();
	expect(await appointmentReference(page)).not.toBe(moved);

	// Cancel, with a confirmation step.
	await activate(d, page.getByRole('link', { name: t.cancel }));
	await expect(page.getByRole('button', { name: t.cancelYes })).toBeVisible();
	await expectNoAxeViolations(page);
	await activate(d, page.getByRole('button', { name: t.cancelYes }));
	await expect(page.getByText(t.cancelled)).toBeVisible();
	await expect(page.getByRole('group', { name: t.where })).toBeVisible();
	await page.goto(`/cases/${CASE_A}`);
	await expect(page.getByText(t.invited)).toBeVisible();
}

test.describe('booking a hearing', () => {
	test.use({ viewport: phone });
	test.describe.configure({ timeout: 180_000 });

	test('in Dutch: book, move, calendar file, waitlist offer, cancel', async ({ page, browser }) => {
		await fullJourney({ page, lang: 'nl', keyboard: false }, browser);
	});

	test('in Arabic, right to left, with the keyboard alone', async ({ page, browser }) => {
		await fullJourney({ page, lang: 'ar', keyboard: true }, browser);
		await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
	});

	test('within 48 hours of the hearing: whom to call, and no way to move or cancel online', async ({
		page
	}) => {
		await signIn(page, 'applicant4@demo.test', undefined, 'nl');
		for (const lang of ['nl', 'ar'] as const) {
			const t = texts[lang];
			// The card, and also the addresses of the move and cancel steps, typed in by hand.
			for (const step of ['', '&change=1', '&cancel=1']) {
				await page.goto(`/cases/${CASE_D}/appointment?lang=${lang}${step}`);
				await expect(page.getByRole('img', { name: t.qr })).toBeVisible();
				await expect(page.getByText('IND Den Bosch').first()).toBeVisible();
				await expect(page.getByText(t.tooLate)).toBeVisible();
				await expect(page.getByText(t.call)).toBeVisible();
				await expect(page.getByRole('link', { name: '088 043 0430' })).toHaveAttribute(
					'href',
					'tel:+31880430430'
				);
				await expect(page.getByRole('link', { name: t.move })).toHaveCount(0);
				await expect(page.getByRole('link', { name: t.cancel })).toHaveCount(0);
				await expect(page.getByRole('button', { name: t.cancelYes })).toHaveCount(0);
				await expect(page.getByRole('button', { name: t.confirmMove })).toHaveCount(0);
			}
			await expectNoAxeViolations(page);
		}
		await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
	});

	test('bad input gets a clear message and changes nothing', async ({ page, browser }) => {
		const fixtures = JSON.parse(readFileSync(e2ePlanningFile, 'utf8')) as {
			pastSlot: number;
			closedSlot: number;
		};
		// Applicant C's invitation id, as C's own confirm form carries it.
		const context = await browser.newContext({ viewport: phone });
		const other = await context.newPage();
		await signIn(other, 'applicant3@demo.test', undefined, 'nl');
		await other.goto(`/cases/${CASE_C}/appointment?lang=nl`);
		await chooseTime({ page: other, lang: 'nl', keyboard: false }, 'IND Zevenaar', 3);
		const othersInvitation = await other.locator('input[name=invitation]').inputValue();
		await context.close();

		await signIn(page, 'applicant@demo.test', undefined, 'nl');
		await page.goto(`/cases/${CASE_A}/appointment?lang=nl&location=NOWHERE`);
		await expect(page.getByRole('link', { name: 'Kies een locatie uit de lijst.' })).toBeVisible();
		await expect(page).toHaveTitle(/^Fout: /);

		const d: Driver = { page, lang: 'nl', keyboard: false };
		await page.goto(`/cases/${CASE_A}/appointment`);
		await chooseTime(d, 'IND Ter Apel', 10);
		const confirmUrl = page.url();
		const tamper = async (field: string, value: string) => {
			await page.goto(confirmUrl);
			await page.locator(`input[name=${field}]`).evaluate((el, v) => {
				(el as HTMLInputElement).value = v;
			}, value);
			await page.getByRole('button', { name: texts.nl.confirm }).click();
		};
		const cases: [string, string, string][] = [
			[
				'invitation',
				othersInvitation,
				'Wij kunnen deze uitnodiging, afspraak of aanbieding niet vinden.'
			],
			['slot', '987654', 'Deze tijd bestaat niet. Kies een tijd uit de lijst.'],
			['slot', String(fixtures.pastSlot), 'Deze tijd is al voorbij. Kies een latere tijd.'],
			[
				'slot',
				String(fixtures.closedSlot),
				'Deze tijd is niet meer beschikbaar. Kies een andere tijd.'
			],
			[
				'key',
				'not-a-key',
				'Er ging iets mis met uw verzoek. Begin opnieuw op de pagina van uw zaak.'
			]
		];
		for (const [field, value, message] of cases) {
			await tamper(field, value);
			await expect(page.getByRole('heading', { name: 'Er is een probleem' })).toBeVisible();
			await expect(page.getByText(message).first()).toBeVisible();
			await expectNoAxeViolations(page);
		}
		// Nothing was booked.
		await page.goto(`/cases/${CASE_A}`);
		await expect(page.getByText(texts.nl.invited)).toBeVisible();

		// The same request twice (a retry without JavaScript) books once and lands on the same card.
		await page.goto(confirmUrl);
		const form = page.locator('main form[method=POST]').first();
		const fields = Object.fromEntries(
			await form
				.locator('input[type=hidden]')
				.evaluateAll((inputs) =>
					inputs.map((i) => [(i as HTMLInputElement).name, (i as HTMLInputElement).value])
				)
		) as Record<string, string>;
		const action = new URL((await form.getAttribute('action'))!, confirmUrl).toString();
		const post = (body: Record<string, string>) =>
			page.request.post(action, {
				form: body,
				headers: { origin: baseURL, accept: 'text/html' },
				maxRedirects: 0
			});
		const once = await post(fields);
		const twice = await post(fields);
		expect([once.status(), twice.status()]).toEqual([303, 303]);
		await page.goto(`/cases/${CASE_A}/appointment`);
		const reference = await appointmentReference(page);
		// The same key for another time is refused, and the appointment stays as it was.
		const otherSlot = await post({ ...fields, slot: String(Number(fields.slot) + 1) });
		expect(otherSlot.status()).toBe(422);
		await page.goto(`/cases/${CASE_A}/appointment`);
		expect(await appointmentReference(page)).toBe(reference);

		await page.getByRole('link', { name: texts.nl.cancel }).click();
		await page.getByRole('button', { name: texts.nl.cancelYes }).click();
		await expect(page.getByText(texts.nl.cancelled)).toBeVisible();
	});

	test.describe('without JavaScript', () => {
		test.use({ javaScriptEnabled: false });

		test('every step, the booking and the cancelling work as plain forms', async ({ page }) => {
			await signIn(page, 'applicant@demo.test', undefined, 'nl');
			await page.goto(`/cases/${CASE_A}/appointment?lang=nl`);
			const d: Driver = { page, lang: 'nl', keyboard: false, axe: false };
			const time = await chooseTime(d, 'IND Zevenaar', 4);
			await page.getByRole('button', { name: texts.nl.confirm }).click();
			await expect(page.getByText(texts.nl.booked)).toBeVisible();
			await expect(page.getByText(time).first()).toBeVisible();
			// Back to the choices with the browser's own button: the steps are plain addresses.
			await page.goBack();
			await expect(page).toHaveURL(/slot=\d+/);
			await page.goto(`/cases/${CASE_A}/appointment`);
			await page.getByRole('link', { name: texts.nl.cancel }).click();
			await page.getByRole('button', { name: texts.nl.cancelYes }).click();
			await expect(page.getByText(texts.nl.cancelled)).toBeVisible();

			// An asylum hearing with an interpreter: ask for one of the same gender.
			await page.getByRole('button', { name: 'Hierom vragen' }).click();
			await expect(page.getByRole('link', { name: 'Kies uw geslacht.' })).toBeVisible();
			await page.getByRole('radio', { name: 'Vrouw' }).check();
			await page.getByRole('button', { name: 'Hierom vragen' }).click();
			await expect(page.getByText('Wij hebben uw verzoek genoteerd.')).toBeVisible();
			await expect(
				page.getByText('U hebt gevraagd om een tolk en een medewerker van uw eigen geslacht.', {
					exact: false
				})
			).toBeVisible();
		});
	});
});
