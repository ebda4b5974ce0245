import { chainPendingAudit } from '$lib/server/audit/audit.service';
import { expect, it } from 'vitest';
import ICAL from 'ical.js';
import { describeEachEngine } from '../helpers/engines';
import { submitted } from '../helpers/factories';
import { ingestEvents } from '$lib/server/events/event.service';
import { cancel } from '$lib/server/planning/booking.service';
import { joinWaitlist } from '$lib/server/planning/waitlist.service';
import {
	appointmentCalendarFile,
	daysWithSlots,
	getCasePlanning,
	getOffer,
	searchLimit,
	searchSlots
} from '$lib/server/planning/applicant.service';
import { seedDemoPlanning } from '$lib/server/demo/planning';
import { DEMO_ASYLUM_CASE } from '$lib/server/demo/pinned';
import { NOW, bookAs, newApplicantWithInvitation, newLocation, newSlot, refusal } from './fixtures';

describeEachEngine("the applicant's view of the planner", ({ db }) => {
	it('searches the first free time of each location, then every free time at the one chosen', async () => {
		const north = await newLocation(db());
		const south = await newLocation(db());
		const a = await newApplicantWithInvitation(db(), { locations: [north.code, south.code] });
		const at = async (loc: { id: number }, startsAt: string) =>
			newSlot(db(), { locationId: loc.id, startsAt });
		const n1 = await at(north, '2026-12-15T08:00:00Z');
		const n2 = await at(north, '2026-12-14T09:00:00Z');
		const n3 = await at(north, '2026-12-16T10:00:00Z');
		const s1 = await at(south, '2026-12-17T08:00:00Z');
		const owner = { id: a.userId };
		const ids = (slots: { id: number }[]) => slots.map((s) => s.id);

		expect(ids(await searchSlots(db(), owner, a.invitationId, { now: NOW }))).toEqual([n2, s1]);
		expect(
			ids(await searchSlots(db(), owner, a.invitationId, { now: NOW, location: north.code }))
		).toEqual([n2, n1, n3]);
		// The time the applicant holds is left out, so the next one comes first.
		expect(
			ids(await searchSlots(db(), owner, a.invitationId, { now: NOW, exceptSlot: n2 }))
		).toEqual([n1, s1]);
		// A location the invitation does not allow finds nothing.
		const elsewhere = await newLocation(db());
		await at(elsewhere, '2026-12-14T08:00:00Z');
		expect(
			await searchSlots(db(), owner, a.invitationId, { now: NOW, location: elsewhere.code })
		).toEqual([]);
	});

	it('shows the own invitation, appointment and card; another case is not found', async () => {
		const loc = await newLocation(db());
		const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const b = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const slotId = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-14T08:00:00Z' });

		const before = await getCasePlanning(db(), { id: a.userId }, a.reference, NOW);
		expect(before.invitation).toMatchObject({
			id: a.invitationId,
			kind: 'registration_interview',
			status: 'open',
			priority: false,
			locations: [{ code: loc.code, address: 'Rijnstraat 8, Den Haag' }]
		});
		expect(before.appointment).toBeNull();

		expect(await refusal(getCasePlanning(db(), { id: b.userId }, a.reference, NOW))).toMatchObject({
			code: 'not_found'
		});
		expect(
			await refusal(searchSlots(db(), { id: b.userId }, a.invitationId, { now: NOW }))
		).toMatchObject({ code: 'not_found' });

		const slots = await searchSlots(db(), { id: a.userId }, a.invitationId, { now: NOW });
		expect(slots.map((s) => [s.id, s.day])).toEqual([[slotId, '2026-12-14']]);
		expect(daysWithSlots(slots, loc.code)).toMatchObject([{ day: '2026-12-14', count: 1 }]);

		await bookAs(db(), a, slotId);
		const after = await getCasePlanning(db(), { id: a.userId }, a.reference, NOW);
		expect(after.appointment).toMatchObject({ slotId, changeable: true, sequence: 0 });
		expect(after.invitation?.status).toBe('booked');
		// Within the 48 hours before it, it can no longer be changed online.
		const late = await getCasePlanning(
			db(),
			{ id: a.userId },
			a.reference,
			new Date('2026-12-13T09:00:00Z')
		);
		expect(late.appointment?.changeable).toBe(false);

		// The calendar file holds the Amsterdam wall-clock time (09:00 in winter).
		const file = await appointmentCalendarFile(db(), { id: a.userId }, a.reference, 'nl', NOW);
		const event = new ICAL.Component(ICAL.parse(file.body)).getFirstSubcomponent('vevent')!;
		const start = event.getFirstProperty('dtstart')!;
		expect(start.getParameter('tzid')).toBe('Europe/Amsterdam');
		expect(String(start.getFirstValue())).toBe('2026-12-14T09:00:00');
		expect(file.filename).toBe(`${after.appointment!.reference}.ics`);
		expect(
			await refusal(appointmentCalendarFile(db(), { id: b.userId }, a.reference, 'nl', NOW))
		).toMatchObject({ code: 'not_found' });
	});

	it('limits slot searches per applicant', async () => {
		const loc = await newLocation(db());
		const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const limit = searchLimit(a.userId).limit;
		expect(limit).toBe(60);
		for (let i = 0; i < limit; i += 1)
			await searchSlots(db(), { id: a.userId }, a.invitationId, { now: NOW });
		expect(
			await refusal(searchSlots(db(), { id: a.userId }, a.invitationId, { now: NOW }))
		).toMatchObject({ code: 'search_throttled', kind: 'throttled' });
		// Another applicant has a budget of their own; the window ends after 10 minutes.
		const b = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		await searchSlots(db(), { id: b.userId }, b.invitationId, { now: NOW });
		await searchSlots(db(), { id: a.userId }, a.invitationId, {
			now: new Date(NOW.getTime() + 10 * 60_000 + 1000)
		});
	});

	it('e-mails a waitlist offer with a link to its page, which only its applicant opens', async () => {
		const loc = await newLocation(db());
		const holder = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const waiting = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const slotId = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-14T08:00:00Z' });
		const { appointment } = await bookAs(db(), holder, slotId);
		await joinWaitlist(db(), {
			invitationId: waiting.invitationId,
			actor: waiting.actor,
			now: NOW
		});
		await cancel(db(), { appointmentId: appointment.id, actor: holder.actor, now: NOW });

		const planning = await getCasePlanning(db(), { id: waiting.userId }, waiting.reference, NOW);
		expect(planning.offer?.place.slotId).toBe(slotId);
		const offerId = planning.offer!.id;
		const mail = await db()
			.selectFrom('email_outbox')
			.select('body_text')
			.where('to_address', '=', waiting.email)
			.executeTakeFirstOrThrow();
		expect(mail.body_text).toContain(`/cases/${waiting.reference}/appointment/offer/${offerId}`);

		const offer = await getOffer(db(), { id: waiting.userId }, waiting.reference, offerId, NOW);
		expect(offer).toMatchObject({ held: true, place: { slotId } });
		for (const [user, reference] of [
			[holder.userId, waiting.reference],
			[waiting.userId, holder.reference]
		] as const)
			expect(await refusal(getOffer(db(), { id: user }, reference, offerId, NOW))).toMatchObject({
				code: 'not_found'
			});
	});
});

describeEachEngine('the demo planner', ({ db }) => {
	it('invites the demo applicant through the event service; running it twice is fine', async () => {
		await ingestEvents(db(), {
			events: [
				submitted(DEMO_ASYLUM_CASE.reference, '2026-10-01T09:00:00Z', {
					vNumber: DEMO_ASYLUM_CASE.vNumber
				})
			]
		});
		const first = await seedDemoPlanning(db(), NOW);
		expect(Object.keys(first.locations)).toEqual(['TERAPEL', 'ZEVENAAR']);
		expect(first.slotsCreated).toBeGreaterThan(50);
		const counts = async () => ({
			invitations: (await db().selectFrom('hearing_invitation').select('id').execute()).length,
			interpreters: (await db().selectFrom('interpreter').select('id').execute()).length,
			shifts: (await db().selectFrom('interpreter_shift').select('id').execute()).length,
			slots: (await db().selectFrom('slot').select('id').execute()).length,
			templateAudits: (await chainPendingAudit(db()),
			await db()
				.selectFrom('audit_event')
				.select('id')
				.where('action', 'like', 'planning.template%')
				.execute()).length
		});
		const once = await counts();
		expect(once).toMatchObject({ invitations: 1, interpreters: 3 });
		const second = await seedDemoPlanning(db(), NOW);
		expect(second).toEqual({ locations: first.locations, slotsCreated: 0 });
		expect(await counts()).toEqual(once);
	});
});
