import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines';
import { decided, stageEntered } from '../helpers/factories';
import { ingestEvents } from '$lib/server/events/event.service';
import { refusedEvents } from '$lib/server/events/event.errors';
import { book, cancel, findBookableSlots } from '$lib/server/planning/booking.service';
import {
	closeSlot,
	generateSlots,
	markAttendance,
	setTemplateSlot
} from '$lib/server/planning/capacity.service';
import { acceptOffer, expireOffers, joinWaitlist } from '$lib/server/planning/waitlist.service';
import { listCaseChanges } from '$lib/server/changes/change.service';
import {
	NOW,
	appointmentStatus,
	key,
	newApplicant,
	newApplicantWithInvitation,
	newLocation,
	newSlot,
	refusal,
	slotTaken,
	staff,
	bookAs
} from './fixtures';

describeEachEngine('hearing capacity and the waitlist', ({ db }) => {
	it('generates slots from a weekly template at Amsterdam times across summer time, once', async () => {
		const loc = await newLocation(db());
		// Mondays 09:00, two rooms. Summer time starts on Sunday 28 March 2027.
		await setTemplateSlot(
			db(),
			{
				locationId: loc.id,
				kind: 'registration_interview',
				weekday: 1,
				startTime: '09:00',
				rooms: 2
			},
			staff
		);
		expect(
			await generateSlots(db(), { locationId: loc.id, from: '2027-03-15', weeks: 3 }, staff)
		).toBe(3);
		expect(
			await generateSlots(db(), { locationId: loc.id, from: '2027-03-15', weeks: 3 }, staff)
		).toBe(0);
		const slots = await db()
			.selectFrom('slot')
			.select(['starts_at', 'ends_at', 'rooms', 'taken'])
			.where('location_id', '=', loc.id)
			.orderBy('starts_at')
			.execute();
		expect(slots.map((s) => s.starts_at.toISOString())).toEqual([
			'2027-03-15T08:00:00.000Z',
			'2027-03-22T08:00:00.000Z',
			'2027-03-29T07:00:00.000Z'
		]);
		expect(slots[0].ends_at.toISOString()).toBe('2027-03-15T09:00:00.000Z');
		expect(slots.every((s) => s.rooms === 2 && s.taken === 0)).toBe(true);
	});

	it('offers a freed place to the waitlist in the order people joined, and passes it on when the hold ends', async () => {
		const loc = await newLocation(db());
		const early = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-14T08:00:00Z' });
		const later = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2027-01-11T08:00:00Z',
			rooms: 5
		});
		const holder = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const first = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const second = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const outsider = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const { appointment } = await bookAs(db(), holder, early);
		const secondBooking = await bookAs(db(), second, later);
		await joinWaitlist(db(), { invitationId: first.invitationId, actor: first.actor, now: NOW });
		await joinWaitlist(db(), {
			invitationId: second.invitationId,
			actor: second.actor,
			now: new Date(NOW.getTime() + 60_000)
		});
		// Joining again keeps the first place in line.
		await joinWaitlist(db(), {
			invitationId: first.invitationId,
			actor: first.actor,
			now: new Date(NOW.getTime() + 120_000)
		});

		await cancel(db(), { appointmentId: appointment.id, actor: holder.actor, now: NOW });
		const offers = () =>
			db()
				.selectFrom('waitlist_offer')
				.innerJoin('waitlist_entry', 'waitlist_entry.id', 'waitlist_offer.entry_id')
				.select(['waitlist_offer.id', 'waitlist_offer.status', 'waitlist_entry.invitation_id'])
				.where('waitlist_offer.slot_id', '=', early)
				.orderBy('waitlist_offer.id')
				.execute();
		expect(await offers()).toMatchObject([{ invitation_id: first.invitationId, status: 'held' }]);
		// A held place counts as taken: nobody else sees it.
		expect(await slotTaken(db(), early)).toBe(1);
		const visible = await findBookableSlots(db(), {
			invitationId: outsider.invitationId,
			userId: outsider.userId,
			from: NOW,
			days: 60,
			now: NOW
		});
		expect(visible.map((s) => s.id)).toEqual([later]);
		// The person offered it is told by e-mail.
		const mail = await db()
			.selectFrom('email_outbox')
			.select('subject')
			.where('to_address', '=', first.email)
			.execute();
		expect(mail).toHaveLength(1);

		// Not yet expired: nothing passes on.
		expect(await expireOffers(db(), new Date(NOW.getTime() + 60 * 60_000))).toBe(0);
		// After two hours the place passes to the next in line.
		expect(await expireOffers(db(), new Date(NOW.getTime() + 2 * 3_600_000 + 1000))).toBe(1);
		const [expired, passed] = await offers();
		expect(expired).toMatchObject({ invitation_id: first.invitationId, status: 'expired' });
		expect(passed).toMatchObject({ invitation_id: second.invitationId, status: 'held' });
		expect(await slotTaken(db(), early)).toBe(1);

		// The first person can no longer take it; the second accepts and is moved to it.
		const late = new Date(NOW.getTime() + 3 * 3_600_000);
		expect(
			await refusal(
				acceptOffer(db(), {
					offerId: expired.id,
					idempotencyKey: key(),
					actor: first.actor,
					now: late
				})
			)
		).toMatchObject({ code: 'offer_gone', kind: 'gone' });
		expect(
			await refusal(
				acceptOffer(db(), {
					offerId: passed.id,
					idempotencyKey: key(),
					actor: first.actor,
					now: late
				})
			)
		).toMatchObject({ kind: 'not_found' });
		const accepted = await acceptOffer(db(), {
			offerId: passed.id,
			idempotencyKey: key(),
			actor: second.actor,
			now: late
		});
		expect(accepted.appointment.slot_id).toBe(early);
		expect(await appointmentStatus(db(), secondBooking.appointment.id)).toBe('cancelled');
		expect(await slotTaken(db(), early)).toBe(1);
		expect(await slotTaken(db(), later)).toBe(0);
	});

	it('closing a booked slot cancels each booking, tells the applicant and invites them again, first in line', async () => {
		const loc = await newLocation(db());
		const slotId = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-15T08:00:00Z',
			rooms: 2
		});
		const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const { appointment } = await bookAs(db(), a, slotId);
		const result = await closeSlot(db(), {
			slotId,
			reason: 'Stroomstoring',
			actor: staff,
			now: NOW
		});
		expect(result).toMatchObject({ slots: 1, cancelled: 1 });
		expect(await appointmentStatus(db(), appointment.id)).toBe('cancelled');
		expect(await slotTaken(db(), slotId)).toBe(0);
		const invitations = await db()
			.selectFrom('hearing_invitation')
			.select(['id', 'status', 'priority', 'kind', 'locations', 'replaces_id'])
			.where('case_id', '=', a.caseId)
			.orderBy('id')
			.execute();
		expect(invitations).toMatchObject([
			{ id: a.invitationId, status: 'cancelled', priority: false },
			{
				status: 'open',
				priority: true,
				kind: 'registration_interview',
				locations: [loc.code],
				replaces_id: a.invitationId
			}
		]);
		const mail = await db()
			.selectFrom('email_outbox')
			.select(['subject', 'body_text'])
			.where('to_address', '=', a.email)
			.execute();
		expect(mail).toHaveLength(1);
		expect(mail[0].body_text).toContain(a.reference);
		const changes = (await listCaseChanges(db(), 0, 10_000)).filter((c) => c.case === a.reference);
		expect(changes.map((c) => c.kind)).toEqual(['booked', 'cancelled']);
		// The new invitation can book another slot.
		const next = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-16T08:00:00Z' });
		await book(db(), {
			invitationId: invitations[1].id,
			slotId: next,
			idempotencyKey: key(),
			actor: a.actor,
			now: NOW
		});
		expect(await slotTaken(db(), next)).toBe(1);
	});

	it('marks attendance only once the hearing has begun', async () => {
		const loc = await newLocation(db());
		const slotId = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-17T08:00:00Z' });
		const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const { appointment } = await bookAs(db(), a, slotId);
		expect(
			await refusal(
				markAttendance(db(), {
					appointmentId: appointment.id,
					outcome: 'no_show',
					actor: staff,
					now: NOW
				})
			)
		).toMatchObject({ code: 'too_early' });
		await markAttendance(db(), {
			appointmentId: appointment.id,
			outcome: 'no_show',
			actor: staff,
			now: new Date('2026-12-17T09:00:00Z')
		});
		expect(await appointmentStatus(db(), appointment.id)).toBe('no_show');
	});

	it('opens an invitation from hearing.invited and refuses one for an unknown location', async () => {
		const loc = await newLocation(db());
		const a = await newApplicant(db());
		const event = (locations: string[]) => ({
			id: randomUUID(),
			type: 'hearing.invited',
			occurredAt: '2026-11-21T09:00:00Z',
			case: a.reference,
			data: {
				kind: 'detailed_interview',
				bookBefore: '2027-01-15',
				locations,
				interpreterLanguage: 'ar',
				interpreterInPerson: true
			}
		});
		const refused = await refusal(ingestEvents(db(), { events: [event(['NOPE'])] }));
		expect(refusedEvents(refused)).toMatchObject([
			{ code: 'unknown_location', field: 'data.locations' }
		]);
		expect(await ingestEvents(db(), { events: [event([loc.code])] })).toMatchObject({
			accepted: 1
		});
		const invitation = await db()
			.selectFrom('hearing_invitation')
			.selectAll()
			.where('case_id', '=', a.caseId)
			.executeTakeFirstOrThrow();
		expect(invitation).toMatchObject({
			kind: 'detailed_interview',
			book_before: '2027-01-15',
			locations: [loc.code],
			interpreter_language: 'ar',
			interpreter_in_person: true,
			status: 'open',
			priority: false
		});
	});

	it('frees the place when the case is withdrawn or decided', async () => {
		const loc = await newLocation(db());
		const slotId = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-18T08:00:00Z',
			rooms: 2
		});
		const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const b = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const booked = [];
		for (const p of [a, b]) booked.push((await bookAs(db(), p, slotId)).appointment);
		expect(await slotTaken(db(), slotId)).toBe(2);
		await ingestEvents(db(), {
			events: [
				{
					id: randomUUID(),
					type: 'case.withdrawn',
					occurredAt: '2026-11-25T09:00:00Z',
					case: a.reference,
					data: {}
				},
				decided(b.reference, '2026-11-26T09:00:00Z')
			]
		});
		expect(await appointmentStatus(db(), booked[0].id)).toBe('cancelled');
		expect(await appointmentStatus(db(), booked[1].id)).toBe('cancelled');
		expect(await slotTaken(db(), slotId)).toBe(0);
		const statuses = await db()
			.selectFrom('hearing_invitation')
			.select('status')
			.where('id', 'in', [a.invitationId, b.invitationId])
			.execute();
		expect(statuses.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
		const changes = (await listCaseChanges(db(), 0, 10_000)).filter((c) => c.case === a.reference);
		expect(changes.at(-1)).toMatchObject({ kind: 'cancelled', data: { reason: 'case_withdrawn' } });
	});
	it('ends the invitations of an earlier stage when the case moves on, but keeps a hearing that took place', async () => {
		const loc = await newLocation(db());
		const future = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-18T08:00:00Z' });
		const past = await newSlot(db(), { locationId: loc.id, startsAt: '2026-11-30T08:00:00Z' });
		const moving = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const heard = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const { appointment: coming } = await bookAs(db(), moving, future);
		const { appointment: held } = await bookAs(db(), heard, past, new Date('2026-11-21T08:00:00Z'));
		await ingestEvents(db(), {
			events: [
				stageEntered(moving.reference, '2026-11-28T09:00:00Z', 'registration_interview_queue'),
				stageEntered(heard.reference, '2026-11-30T12:00:00Z', 'registration_interview_queue')
			]
		});
		expect(await appointmentStatus(db(), coming.id)).toBe('cancelled');
		expect(await slotTaken(db(), future)).toBe(0);
		// Its time has passed: the planner marks it attended or not.
		expect(await appointmentStatus(db(), held.id)).toBe('active');
		// An invitation sent with the move, for the stage the case is in now, stays open.
		await ingestEvents(db(), {
			events: [
				stageEntered(moving.reference, '2026-11-29T09:00:00Z', 'registration_interview'),
				{
					id: randomUUID(),
					type: 'hearing.invited',
					occurredAt: '2026-11-29T09:05:00Z',
					case: moving.reference,
					data: { kind: 'registration_interview', bookBefore: '2027-01-31', locations: [loc.code] }
				}
			]
		});
		const again = (
			await db()
				.selectFrom('hearing_invitation')
				.select('id')
				.where('case_id', '=', moving.caseId)
				.orderBy('id', 'desc')
				.executeTakeFirstOrThrow()
		).id;
		const statuses = await db()
			.selectFrom('hearing_invitation')
			.select(['id', 'status'])
			.where('id', 'in', [moving.invitationId, again])
			.orderBy('id')
			.execute();
		expect(statuses.map((s) => s.status)).toEqual(['cancelled', 'open']);
		const changes = (await listCaseChanges(db(), 0, 10_000)).filter(
			(c) => c.case === moving.reference
		);
		expect(changes.at(-1)).toMatchObject({ kind: 'cancelled', data: { reason: 'stage_passed' } });
	});
});
