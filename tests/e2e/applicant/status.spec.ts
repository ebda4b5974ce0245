import { expect, test, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { expectNoAxeViolations } from '../support/a11y';
import { authorised, newReference, stageEntered, submitted } from '../support/api';
import { signIn, signedInApplicant } from '../support/auth';

const CASE = 'IND-2026-90000001';
const phone = { width: 360, height: 740 };

async function positionOn(page: Page): Promise<number> {
	const text = await page.getByText(/U bent nummer [\d.]+ van de/).textContent();
	return Number(/nummer ([\d.]+) van/.exec(text!)![1].replaceAll('.', ''));
}

test.describe('the case status page', () => {
	test.use({ viewport: phone });

	test('in Dutch: stage, position, range, deadline and chart, without axe violations', async ({
		page
	}) => {
		await signIn(page, 'applicant@demo.test');
		await page.goto(`/cases/${CASE}?lang=nl`);
		await expect(page.getByRole('heading', { level: 1, name: 'Asiel' })).toBeVisible();
		await expect(page.getByRole('heading', { name: 'Waar staat uw aanvraag nu?' })).toBeVisible();
		await expect(page.getByText('Wachten op nader gehoor', { exact: false }).first()).toBeVisible();
		expect(await positionOn(page)).toBeGreaterThan(1);
		await expect(page.getByText(/Er (zijn|is) [\d.]+ (mensen|persoon) voor u/)).toBeVisible();
		// The page leads with the most likely date, then the range it lies in.
		const turn = page.getByRole('region', { name: 'Wanneer bent u aan de beurt?' });
		await expect(turn.locator('.estimate')).toHaveText(
			/^Het meest waarschijnlijk rond \d+ \w+\.? \d{4}\.$/
		);
		await expect(page.getByText(/Over \d+ tot \d+ (weken|dagen), ongeveer tussen/)).toBeVisible();
		await expect(
			page.getByText(/Van de mensen op uw plaats was 80\s?% binnen deze tijd aan de beurt/)
		).toBeVisible();
		await expect(page.getByText(/De IND moet uiterlijk op .+ beslissen/)).toBeVisible();
		await expect(page.getByRole('img', { name: /Staafdiagram|staafdiagram/ })).toBeVisible();
		// The chart says which weeks it shows, beside those the estimate uses.
		await expect(
			page.getByText(
				/De grafiek toont de laatste 12 weken\. De schatting rekent met de laatste 26 weken\./
			)
		).toBeVisible();
		await expect(page.getByText(/Berekend op/)).toBeVisible();
		await expect(
			page.getByRole('link', { name: 'Zo berekenen wij uw plaats en de wachttijd' })
		).toBeVisible();
		await expectNoAxeViolations(page);
	});

	test('in Arabic, right to left, without axe violations', async ({ page }) => {
		await signIn(page, 'applicant@demo.test');
		await page.goto(`/cases/${CASE}?lang=ar`);
		await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
		await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('اللجوء');
		await expect(page.getByText(CASE)).toBeVisible();
		await expect(page.getByRole('img').first()).toBeVisible();
		await expectNoAxeViolations(page);
	});

	test('a new event through the API changes the position on reload', async ({ page, request }) => {
		await signIn(page, 'applicant@demo.test');
		await page.goto(`/cases/${CASE}?lang=nl`);
		const before = await positionOn(page);
		// A case that entered the same queue a month earlier is served first: one more ahead.
		const ref = newReference();
		const day = 86_400_000;
		const response = await request.post('/api/v1/events', {
			headers: authorised(),
			data: {
				events: [
					{
						id: randomUUID(),
						type: 'case.submitted',
						occurredAt: new Date(Date.now() - 120 * day).toISOString(),
						case: ref,
						data: {
							product: 'asiel',
							vNumber: String(4_000_000_000 + (Date.now() % 999_999_999)).slice(0, 10),
							applicant: { name: 'Early Case', birthDate: '1995-01-01', language: 'ti' }
						}
					},
					{
						id: randomUUID(),
						type: 'case.stage_entered',
						occurredAt: new Date(Date.now() - 110 * day).toISOString(),
						case: ref,
						data: { stage: 'detailed_interview_queue' }
					}
				]
			}
		});
		expect(response.status()).toBe(200);
		await page.reload();
		expect(await positionOn(page)).toBe(before + 1);
	});

	test('a case whose expected decision falls after its time limit says so, and what to do, in nl and ar', async ({
		page,
		request
	}) => {
		// An asylum case submitted 170 days ago (the time limit is six months), entering the back of
		// the detailed interview queue today; its applicant's own account.
		const c = await signedInApplicant(page, request, {
			product: 'asiel',
			submittedDaysAgo: 170,
			stage: 'detailed_interview_queue'
		});
		const ref = c.reference;
		await page.goto(`/cases/${ref}?lang=nl`);
		const deadline = page.getByRole('region', { name: 'Wettelijke termijn' });
		await expect(
			deadline.getByText('De beslissing die wij verwachten, valt na deze termijn.', {
				exact: false
			})
		).toBeVisible();
		await expect(deadline.getByText(/ingebrekestelling/).first()).toBeVisible();
		await expect(deadline.getByText(/dwangsom/)).toBeVisible();
		await expectNoAxeViolations(page);

		await page.goto(`/cases/${ref}?lang=ar`);
		await expect(
			page.getByText('القرار الذي نتوقعه يأتي بعد انتهاء هذه المهلة.', { exact: false })
		).toBeVisible();
		await expectNoAxeViolations(page);
	});

	test('after cases are registered ahead of it, the next visit says why the expected turn moved, in nl and ar', async ({
		page,
		request
	}) => {
		// An asylum case of a new applicant, at the back of the detailed interview queue.
		const c = await signedInApplicant(page, request, {
			product: 'asiel',
			submittedDaysAgo: 100,
			stage: 'detailed_interview_queue'
		});
		await page.goto(`/cases/${c.reference}?lang=nl`);
		const turn = page.getByRole('region', { name: 'Wanneer bent u aan de beurt?' });
		await expect(turn.locator('.estimate')).toHaveText(/Het meest waarschijnlijk rond/);
		await expect(page.getByText(/Sinds uw vorige bezoek/)).toHaveCount(0);
		const before = await positionOn(page);

		// The case system reports late as many cases again, which entered the queue before this one:
		// the turn moves back by about as long again as it was away.
		const late = Array.from({ length: before }, () => newReference());
		const entered = new Date(Date.now() - 10 * 60_000).toISOString();
		for (let i = 0; i < late.length; i += 400) {
			const events = late
				.slice(i, i + 400)
				.flatMap((ref) => [
					submitted(ref, new Date(Date.now() - 120 * 86_400_000).toISOString(), 'asiel'),
					stageEntered(ref, entered, 'detailed_interview_queue')
				]);
			const response = await request.post('/api/v1/events', {
				headers: authorised(),
				data: { events }
			});
			expect(response.status()).toBe(200);
		}
		// The same visit still compares with none before it.
		await page.reload();
		await expect(page.getByText(/Sinds uw vorige bezoek/)).toHaveCount(0);

		// The next visit: signed in again.
		await page.context().clearCookies();
		await signIn(page, c.email, c.password);
		await page.goto(`/cases/${c.reference}?lang=nl`);
		const after = await positionOn(page);
		expect(after).toBeGreaterThanOrEqual(before + late.length);
		const moved = turn.locator('.moved');
		await expect(moved).toHaveText(
			new RegExp(
				`^Sinds uw vorige bezoek op .+ is de verwachte datum van uw beurt verschoven van rond .+ naar rond .+, omdat zaken die eerder dan u in deze wachtrij kwamen pas later zijn geregistreerd: uw plaats ging van ${before.toLocaleString('nl-NL')} naar ${after.toLocaleString('nl-NL')}\\.$`
			)
		);
		await expectNoAxeViolations(page);
		// A reload within the visit says the same; so does the page in Arabic.
		await page.goto(`/cases/${c.reference}?lang=ar`);
		await expect(page.locator('.moved')).toContainText(
			'لأن ملفات دخلت قائمة الانتظار هذه قبلك سُجّلت لاحقًا'
		);
		await expectNoAxeViolations(page);
	});

	test('works without JavaScript', async ({ browser }) => {
		const context = await browser.newContext({ javaScriptEnabled: false, viewport: phone });
		const page = await context.newPage();
		await page.goto('/auth/login?lang=nl');
		await page.getByLabel('E-mailadres').fill('applicant@demo.test');
		await page.getByLabel('Wachtwoord', { exact: true }).fill('demo-password');
		await page.getByRole('button', { name: 'Inloggen' }).click();
		await expect(page).toHaveURL(/\/cases$/);
		await page.getByRole('link', { name: 'Asiel' }).click();
		expect(await positionOn(page)).toBeGreaterThan(1);
		await expect(page.getByText(/Over \d+ tot \d+ (weken|dagen)/)).toBeVisible();
		await context.close();
	});

	test('a case decided at its turn shows one range for that moment, not two', async ({ page }) => {
		// Knowledge migrant: the assessment queue is followed by the decision, no stage between.
		await signIn(page, 'applicant2@demo.test');
		await page.goto('/cases/IND-2026-90000002?lang=en');
		await expect(page.getByText(/^In \d+ to \d+ (weeks|days)/)).toHaveCount(1);
		const decision = page.getByRole('region', { name: 'When do we expect a decision?' });
		await expect(
			decision.getByText('The IND decides when it is your turn.', { exact: false })
		).toBeVisible();
		await expect(page.getByText(/Probably between/)).toHaveCount(0);
		await expectNoAxeViolations(page);
	});

	test("someone else's case is not found, exactly like a case that does not exist", async ({
		page
	}) => {
		await signIn(page, 'applicant2@demo.test');
		const other = await page.goto(`/cases/${CASE}?lang=en`);
		expect(other?.status()).toBe(404);
		const missing = await page.goto('/cases/IND-2026-99999999?lang=en');
		expect(missing?.status()).toBe(404);
		expect(await page.locator('main').textContent()).toBe(
			await (async () => {
				await page.goto(`/cases/${CASE}?lang=en`);
				return page.locator('main').textContent();
			})()
		);
	});
});

test('the how-we-calculate page has no axe violations in nl, en, ar and fa', async ({ page }) => {
	for (const lang of ['nl', 'en', 'ar', 'fa']) {
		await page.goto(`/how-we-calculate?lang=${lang}`);
		await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
		await expectNoAxeViolations(page);
	}
});
