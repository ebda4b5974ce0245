/**
 * The planner's pages, in Chromium: a planner creates a location, builds a week of slots from a
 * template, adds an interpreter with a shift and opens the day list; then applicants book in those
 * slots, the planner marks a no-show (the overview's figure changes) and closes a booked slot with
 * a reason; the closed slot's applicant, on a phone, is asked to book again and goes first in line.
 *
 * The booking is made by the planning service itself (the applicant's booking pages are another
 * part of the portal). The embedded database belongs to one process at a time, so this test runs
 * its own server on its own database and stops it while the test process books.
 */
import { expect, test, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { DEMO_PASSWORD, signIn } from '../support/auth';
import { expectNoAxeViolations } from '../support/a11y';
import { newReference, submitted } from '../support/api';
import { ownServer } from '../support/own-server';
import { hashPassword } from '../../../src/lib/server/auth/password';
import type { Db } from '../../../src/lib/server/db';
import { ingestEvents } from '../../../src/lib/server/events/event.service';
import { book } from '../../../src/lib/server/planning/booking.service';
import { addDays, dutchDate, isoWeekdayOf } from '../../../src/lib/time';

const server = ownServer(0);
test.use({ baseURL: server.base });

/**
 * A submitted asylum case with an applicant account (password `demo-password`), invited for `kind`
 * at `code`, with an interpreter when `interpreter` is given.
 */
async function invitedApplicant(
	db: Db,
	code: string,
	kind: string,
	interpreter: { interpreterLanguage?: string; interpreterInPerson?: boolean } = {}
) {
	const reference = newReference();
	const invited = {
		id: randomUUID(),
		type: 'hearing.invited',
		occurredAt: new Date().toISOString(),
		case: reference,
		data: { kind, bookBefore: '2099-12-31', locations: [code], ...interpreter }
	};
	const submittedAt = new Date(Date.now() - 86_400_000).toISOString();
	const result = await ingestEvents(db, { events: [submitted(reference, submittedAt, 'asiel')] });
	expect(result.accepted).toBe(1);
	expect((await ingestEvents(db, { events: [invited] })).accepted).toBe(1);
	const row = await db
		.selectFrom('case')
		.innerJoin('hearing_invitation', 'hearing_invitation.case_id', 'case.id')
		.select(['case.id', 'case.applicant_id', 'hearing_invitation.id as invitation_id'])
		.where('case.reference', '=', reference)
		.executeTakeFirstOrThrow();
	const email = `${reference.toLowerCase()}@example.test`;
	const user = await db
		.insertInto('app_user')
		.values({
			email,
			password_hash: await hashPassword(DEMO_PASSWORD),
			display_name: 'Test Applicant',
			kind: 'applicant',
			applicant_id: row.applicant_id,
			language: 'en'
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return { reference, email, invitationId: row.invitation_id, userId: user.id };
}

async function submitByKeyboard(page: Page, name: string): Promise<void> {
	await page.getByRole('button', { name, exact: true }).focus();
	await page.keyboard.press('Enter');
}

test.afterAll(() => server.remove());

test('a planner builds a week of slots, marks a no-show and closes a booked slot; the applicant is invited again first', async ({
	page,
	browser
}) => {
	test.setTimeout(300_000);
	await server.start();
	const today = dutchDate(new Date());
	const tomorrow = addDays(today, 1);
	const code = `E${String(Date.now()).slice(-5)}`;

	await signIn(page, 'planner@demo.test', undefined, 'en');
	await page.goto('/staff/planning');
	await expect(page.getByRole('heading', { level: 1, name: 'Hearing planning' })).toBeVisible();
	await expectNoAxeViolations(page);

	// A new location.
	await page.getByRole('link', { name: 'Add a location' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Add a location' })).toBeVisible();
	await expectNoAxeViolations(page);
	await submitByKeyboard(page, 'Add the location');
	await expect(page.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
	await expect(page).toHaveTitle(/^Error: /);
	await expectNoAxeViolations(page);
	await page.getByLabel('Name of the location').fill('Test location Rijswijk');
	await page.getByLabel('Location code').fill(code);
	await page.getByLabel('Address').fill('Rijswijkseweg 1, Rijswijk');
	await page.getByLabel('Accessibility').fill('Step-free entrance');
	await submitByKeyboard(page, 'Add the location');
	await expect(
		page.getByRole('heading', { level: 1, name: 'Test location Rijswijk' })
	).toBeVisible();
	await expect(page.getByText('The location was added.')).toBeVisible();
	const locationUrl = new URL(page.url()).pathname;

	// A week plan: biometrics today at 00:00, a registration interview tomorrow at 10:00.
	const addRow = async (kind: string, day: string, time: string, rooms: string) => {
		await page.getByLabel('Kind of appointment').selectOption({ label: kind });
		await page.getByLabel('Day of the week').selectOption(String(isoWeekdayOf(day)));
		await page.getByLabel('Start time').fill(time);
		await page.getByLabel('Number of rooms').fill(rooms);
		await submitByKeyboard(page, 'Add the row');
		await expect(page.getByText('The row was saved in the week plan.')).toBeVisible();
	};
	await addRow('Biometrics', today, '00:00', '1');
	await addRow('Registration interview', tomorrow, '10:00', '2');
	await expect(
		page.getByRole('table', { name: 'Rows of the week plan' }).getByRole('row')
	).toHaveCount(3);

	await page.getByLabel('First day').fill(today);
	await page.getByLabel('Number of weeks').fill('1');
	await submitByKeyboard(page, 'Generate times');
	await expect(page.getByText('2 times were made.')).toBeVisible();

	// An interpreter with a shift tomorrow.
	await page.getByLabel('Language', { exact: true }).fill('ar');
	await page.getByRole('radio', { name: 'Female' }).check();
	await submitByKeyboard(page, 'Add the interpreter');
	await expect(page.getByText('The interpreter was added.')).toBeVisible();
	await page.getByLabel('Day', { exact: true }).fill(tomorrow);
	await page.getByLabel('From', { exact: true }).fill('08:00');
	await page.getByLabel('Until', { exact: true }).fill('17:00');
	await submitByKeyboard(page, 'Add the shift');
	await expect(page.getByText('The shift was added.')).toBeVisible();
	await expect(page.getByRole('table', { name: 'Interpreters of this location' })).toContainText(
		'ar'
	);

	// The week shows today's slot with its rooms, and links to the day list.
	await page.goto(locationUrl);
	await expect(page.getByRole('table', { name: /Times this week/ })).toContainText(
		'0 of 1 rooms taken'
	);
	await expectNoAxeViolations(page);
	await page.locator(`a[href$="/days/${today}"]`).click();
	await expect(
		page.getByRole('heading', { level: 1, name: /^Day list Test location Rijswijk/ })
	).toBeVisible();
	await expect(page.getByText('No appointments')).toBeVisible();

	// Two applicants book: one for today's slot (booked before it began), one for tomorrow's, who
	// needs an Arabic interpreter in the room.
	const booked = await server.withDatabase(async (db) => {
		const slots = await db
			.selectFrom('slot')
			.innerJoin('hearing_location', 'hearing_location.id', 'slot.location_id')
			.select(['slot.id', 'slot.kind', 'slot.starts_at'])
			.where('hearing_location.code', '=', code)
			.orderBy('slot.starts_at')
			.execute();
		const early = slots.find((s) => s.kind === 'biometrics')!;
		const late = slots.find((s) => s.kind === 'registration_interview')!;
		const a = await invitedApplicant(db, code, 'biometrics');
		const b = await invitedApplicant(db, code, 'registration_interview', {
			interpreterLanguage: 'ar',
			interpreterInPerson: true
		});
		const first = await book(db, {
			invitationId: a.invitationId,
			slotId: early.id,
			idempotencyKey: randomUUID(),
			actor: { userId: a.userId, role: 'applicant' },
			now: new Date(early.starts_at.getTime() - 3_600_000)
		});
		const second = await book(db, {
			invitationId: b.invitationId,
			slotId: late.id,
			idempotencyKey: randomUUID(),
			actor: { userId: b.userId, role: 'applicant' }
		});
		return { a, b, first: first.appointment.reference, second: second.appointment.reference };
	});
	await server.start();

	// No-show: the overview's share for biometrics goes from none to 100%.
	await page.goto('/staff/planning');
	const noShow = page.getByRole('table', { name: /No-show share per kind/ });
	await expect(noShow.getByRole('row', { name: /Biometrics/ })).toContainText('–');
	await page.goto(`${locationUrl}/days/${today}`);
	await expect(page.getByRole('row', { name: new RegExp(booked.first) })).toContainText(
		booked.a.reference
	);
	await expectNoAxeViolations(page);
	await page.getByRole('button', { name: new RegExp(`^Did not come\\W+${booked.first}$`) }).click();
	await expect(page.getByText('Marked as did not come.')).toBeVisible();
	await expect(page.getByRole('row', { name: new RegExp(booked.first) })).toContainText(
		'Did not come'
	);
	await page.goto('/staff/planning');
	await expect(noShow.getByRole('row', { name: /Biometrics/ })).toContainText('100%');

	// Closing tomorrow's booked slot tells the planner that its applicant was invited again.
	await page.goto(`${locationUrl}/days/${tomorrow}`);
	const secondRow = page.getByRole('row', { name: new RegExp(booked.second) });
	await expect(secondRow).toContainText(booked.b.reference);
	await expect(secondRow).toContainText('ar, interpreter in person');
	await page.getByLabel('Why is this time closed?').fill('Power failure');
	await submitByKeyboard(page, 'Close the time');
	await expect(
		page.getByText(
			'The time was closed. 1 applicant was invited to book again, first in line, and e-mailed.'
		)
	).toBeVisible();
	await expect(
		page.getByRole('table', { name: 'Times and appointments of the day' })
	).toContainText('closed: Power failure');
	await expect(page.getByRole('row', { name: new RegExp(booked.second) })).toContainText(
		'Cancelled'
	);
	await expectNoAxeViolations(page);

	// The print stylesheet hides the navigation and the buttons.
	await page.emulateMedia({ media: 'print' });
	await expect(page.locator('button', { hasText: 'Print the day list' })).toBeHidden();
	await expect(page.locator('form').first()).toBeHidden();
	await expect(page.locator('nav.site-nav')).toBeHidden();
	await expect(
		page.getByRole('table', { name: 'Times and appointments of the day' })
	).toBeVisible();
	await page.emulateMedia({ media: 'screen' });

	// The location's page and the day list in Dutch, with what this test made on them.
	for (const path of [
		locationUrl,
		`${locationUrl}/days/${tomorrow}`,
		`${locationUrl}/days/${today}`
	]) {
		await page.goto(`${path}?lang=nl`);
		await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
		await expectNoAxeViolations(page);
	}

	// The Dutch day list says where the interpreter will be.
	await page.goto(`${locationUrl}/days/${tomorrow}?lang=nl`);
	await expect(secondRow).toContainText('ar, tolk ter plaatse');

	// The applicant of the closed time, on a phone, is told and asked to book again, first in line.
	const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
	const applicant = await phone.newPage();
	await signIn(applicant, booked.b.email, DEMO_PASSWORD, 'nl');
	await applicant.goto(`/cases/${booked.b.reference}?lang=nl`);
	await expect(
		applicant.getByText(
			/^De IND moest uw eerdere afspraak afzeggen\. Dat spijt ons\. Maak een nieuwe afspraak vóór .+\. U bent als eerste aan de beurt voor vrije plaatsen\.$/
		)
	).toBeVisible();
	await expectNoAxeViolations(applicant);
	await applicant.getByRole('link', { name: 'Maak uw afspraak' }).click();
	await expect(
		applicant.getByText(
			/^De IND moest uw eerdere afspraak afzeggen\. Dat spijt ons\. Kies een nieuwe tijd vóór/
		)
	).toBeVisible();
	await expect(
		applicant.getByRole('heading', {
			level: 1,
			name: 'Maak een afspraak voor uw aanmeldgehoor'
		})
	).toBeVisible();
	await expectNoAxeViolations(applicant);
	// The same in Arabic, right to left.
	await applicant.goto(`/cases/${booked.b.reference}?lang=ar`);
	await expect(applicant.locator('html')).toHaveAttribute('dir', 'rtl');
	await expect(
		applicant.getByText(/^اضطرت دائرة الهجرة والتجنيس \(IND\) إلى إلغاء موعدك السابق\./)
	).toBeVisible();
	await expect(applicant.getByRole('link', { name: 'احجز موعدك' })).toBeVisible();
	await expectNoAxeViolations(applicant);
	await phone.close();
});
