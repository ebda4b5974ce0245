import { expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines';
import { book, cancel, findBookableSlots, reschedule } from '$lib/server/planning/booking.service';
import { closeSlot } from '$lib/server/planning/capacity.service';
import { listCaseChanges } from '$lib/server/changes/change.service';
import {
	NOW,
	appointmentStatus,
	key,
	newApplicantWithInvitation,
	newInterpreter,
	newLocation,
	newSlot,
	refusal,
	slotTaken,
	staff,
	bookAs
} from './fixtures';

describeEachEngine('booking a hearing', ({ db, engine }) => {
	it('shows only open slots of the invited kind and locations, before the book-before day', async () => {
		const here = await newLocation(db());
		const elsewhere = await newLocation(db());
		const a = await newApplicantWithInvitation(db(), {
			locations: [here.code],
			bookBefore: '2026-12-20'
		});
		const good = await newSlot(db(), { locationId: here.id, startsAt: '2026-12-10T08:00:00Z' });
		await newSlot(db(), { locationId: elsewhere.id, startsAt: '2026-12-10T08:00:00Z' });
		await newSlot(db(), {
			locationId: here.id,
			startsAt: '2026-12-10T10:00:00Z',
			kind: 'biometrics',
			minutes: 15
		});
		await newSlot(db(), { locationId: here.id, startsAt: '2026-12-01T08:00:00Z' }); // past
		await newSlot(db(), { locationId: here.id, startsAt: '2026-12-21T08:00:00Z' }); // too late
		const closed = await newSlot(db(), { locationId: here.id, startsAt: '2026-12-11T08:00:00Z' });
		await closeSlot(db(), { slotId: closed, reason: 'Storing', actor: staff, now: NOW });

		const slots = await findBookableSlots(db(), {
			invitationId: a.invitationId,
			userId: a.userId,
			from: NOW,
			days: 60,
			now: NOW
		});
		expect(slots.map((s) => s.id)).toEqual([good]);
		expect(slots[0].location).toBe(here.code);
	});

	it("offers, as the page's first step, each location's earliest slot that can still be booked", async () => {
		const north = await newLocation(db());
		const south = await newLocation(db());
		const a = await newApplicantWithInvitation(db(), {
			locations: [north.code, south.code],
			bookBefore: '2026-12-20',
			interpreterLanguage: 'ti'
		});
		const other = await newApplicantWithInvitation(db(), { locations: [north.code] });
		// North: the earliest is full, the next closed, the next has no interpreter on duty.
		const full = await newSlot(db(), { locationId: north.id, startsAt: '2026-12-07T08:00:00Z' });
		await bookAs(db(), other, full);
		const closed = await newSlot(db(), { locationId: north.id, startsAt: '2026-12-07T10:00:00Z' });
		await closeSlot(db(), { slotId: closed, reason: 'Storing', actor: staff, now: NOW });
		await newSlot(db(), { locationId: north.id, startsAt: '2026-12-08T14:00:00Z' });
		const northFirst = await newSlot(db(), {
			locationId: north.id,
			startsAt: '2026-12-09T08:00:00Z'
		});
		await newSlot(db(), { locationId: north.id, startsAt: '2026-12-09T10:00:00Z' });
		await newInterpreter(db(), {
			locationId: north.id,
			language: 'ti',
			from: '2026-12-09T07:00:00Z',
			to: '2026-12-09T12:00:00Z'
		});
		// South: the earliest is of another kind; then its first, and a later one.
		await newSlot(db(), {
			locationId: south.id,
			startsAt: '2026-12-03T08:00:00Z',
			kind: 'biometrics',
			minutes: 15
		});
		const southFirst = await newSlot(db(), {
			locationId: south.id,
			startsAt: '2026-12-04T09:00:00Z'
		});
		const southLater = await newSlot(db(), {
			locationId: south.id,
			startsAt: '2026-12-05T09:00:00Z'
		});
		await newInterpreter(db(), {
			locationId: south.id,
			language: 'ti',
			from: '2026-12-04T07:00:00Z',
			to: '2026-12-05T16:00:00Z'
		});
		const query = {
			invitationId: a.invitationId,
			userId: a.userId,
			from: NOW,
			days: 14,
			now: NOW,
			firstPerLocation: true
		};

		const first = await findBookableSlots(db(), query);
		expect(first.map((s) => [s.location, s.id])).toEqual([
			[south.code, southFirst],
			[north.code, northFirst]
		]);
		// Leaving out the slot the applicant holds shows the location's next one.
		const moving = await findBookableSlots(db(), { ...query, exceptSlot: southFirst });
		expect(moving.map((s) => s.id)).toEqual([southLater, northFirst]);
		// Another person's invitation finds nothing.
		await expect(findBookableSlots(db(), { ...query, userId: other.userId })).rejects.toThrow();
	});

	it('books once for a repeated idempotency key, and the slot counts one booking', async () => {
		const loc = await newLocation(db());
		const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const slotId = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-14T08:00:00Z',
			rooms: 2
		});
		const k = key();
		const first = await book(db(), {
			invitationId: a.invitationId,
			slotId,
			idempotencyKey: k,
			actor: a.actor,
			now: NOW
		});
		const again = await book(db(), {
			invitationId: a.invitationId,
			slotId,
			idempotencyKey: k,
			actor: a.actor,
			now: NOW
		});
		expect(first.replayed).toBe(false);
		expect(again.replayed).toBe(true);
		expect(again.appointment.id).toBe(first.appointment.id);
		expect(first.appointment.reference).toMatch(/^OAP-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
		expect(await slotTaken(db(), slotId)).toBe(1);
		// A second booking on the same invitation with a new key is refused.
		expect(
			await refusal(
				book(db(), {
					invitationId: a.invitationId,
					slotId,
					idempotencyKey: key(),
					actor: a.actor,
					now: NOW
				})
			)
		).toMatchObject({ code: 'already_booked', kind: 'conflict' });
		// The same key for another slot is a misuse, not a replay.
		const other = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-15T08:00:00Z' });
		expect(
			await refusal(
				book(db(), {
					invitationId: a.invitationId,
					slotId: other,
					idempotencyKey: k,
					actor: a.actor,
					now: NOW
				})
			)
		).toMatchObject({ code: 'key_reused' });
		expect(await slotTaken(db(), slotId)).toBe(1);
	});

	it('refuses another case’s invitation, a forged id, a wrong kind or location, a past, closed or full slot, and changes nothing', async () => {
		const loc = await newLocation(db());
		const other = await newLocation(db());
		const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const b = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const slotId = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-16T08:00:00Z' });
		const attempt = (invitationId: number, slot: number, actor = a.actor) =>
			refusal(book(db(), { invitationId, slotId: slot, idempotencyKey: key(), actor, now: NOW }));

		expect(await attempt(b.invitationId, slotId)).toMatchObject({
			code: 'not_found',
			kind: 'not_found'
		});
		expect(await attempt(987_654, slotId)).toMatchObject({ kind: 'not_found' });
		expect(await attempt(a.invitationId, 987_654)).toMatchObject({ kind: 'not_found' });
		// Asked on another case's page: the invitation must be of the case the request names.
		expect(
			await refusal(
				book(db(), {
					caseReference: b.reference,
					invitationId: a.invitationId,
					slotId,
					idempotencyKey: key(),
					actor: a.actor,
					now: NOW
				})
			)
		).toMatchObject({ kind: 'not_found' });
		const wrongKind = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-16T10:00:00Z',
			kind: 'biometrics',
			minutes: 15
		});
		expect(await attempt(a.invitationId, wrongKind)).toMatchObject({
			code: 'wrong_kind',
			kind: 'invalid'
		});
		const wrongPlace = await newSlot(db(), {
			locationId: other.id,
			startsAt: '2026-12-16T08:00:00Z'
		});
		expect(await attempt(a.invitationId, wrongPlace)).toMatchObject({
			code: 'wrong_location',
			kind: 'invalid'
		});
		const past = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-01T08:00:00Z' });
		expect(await attempt(a.invitationId, past)).toMatchObject({ code: 'slot_past' });
		const closed = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-17T08:00:00Z' });
		await closeSlot(db(), { slotId: closed, reason: 'Verbouwing', actor: staff, now: NOW });
		expect(await attempt(a.invitationId, closed)).toMatchObject({
			code: 'slot_closed',
			kind: 'conflict'
		});

		const taken = await bookAs(db(), b, slotId);
		expect(await attempt(a.invitationId, slotId)).toMatchObject({
			code: 'slot_full',
			kind: 'conflict'
		});
		// A full slot answers no one before the checks that come first: someone else's
		// invitation is still not found, a used invitation already booked, and a replay of the
		// booking that filled it gets that booking.
		const c = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		expect(await attempt(c.invitationId, slotId)).toMatchObject({ code: 'not_found' });
		expect(await attempt(b.invitationId, slotId, b.actor)).toMatchObject({
			code: 'already_booked'
		});
		const replay = await book(db(), {
			invitationId: b.invitationId,
			slotId,
			idempotencyKey: taken.appointment.idempotency_key,
			actor: b.actor,
			now: NOW
		});
		expect(replay).toMatchObject({ replayed: true, appointment: { id: taken.appointment.id } });
		expect(await slotTaken(db(), slotId)).toBe(1);
		const mine = await db()
			.selectFrom('appointment')
			.select('id')
			.where('invitation_id', '=', a.invitationId)
			.execute();
		expect(mine).toEqual([]);
	});

	it('never sells more places than rooms, however many book at once', async () => {
		const loc = await newLocation(db());
		const slotId = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-18T08:00:00Z',
			rooms: 3
		});
		const people = [];
		for (let i = 0; i < 8; i += 1)
			people.push(await newApplicantWithInvitation(db(), { locations: [loc.code] }));
		const results = await Promise.allSettled(
			people.map((p) =>
				book(db(), {
					invitationId: p.invitationId,
					slotId,
					idempotencyKey: key(),
					actor: p.actor,
					now: NOW
				})
			)
		);
		const booked = results.filter((r) => r.status === 'fulfilled');
		const refused = results.filter((r) => r.status === 'rejected');
		expect(booked).toHaveLength(3);
		for (const r of refused)
			expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'slot_full' });
		expect(await slotTaken(db(), slotId)).toBe(3);
		const active = await db()
			.selectFrom('appointment')
			.select('id')
			.where('slot_id', '=', slotId)
			.where('status', '=', 'active')
			.execute();
		expect(active).toHaveLength(3);
		void engine;
	});

	it('never books an interpreter twice across overlapping slots of different lengths', async () => {
		const loc = await newLocation(db());
		await newInterpreter(db(), {
			locationId: loc.id,
			language: 'ti',
			from: '2026-12-21T07:00:00Z',
			to: '2026-12-21T16:00:00Z'
		});
		// 09:00–13:00 and 11:00–12:00 in Amsterdam share two hours.
		const long = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-21T08:00:00Z',
			minutes: 240,
			kind: 'detailed_interview',
			rooms: 2
		});
		const short = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-21T10:00:00Z',
			minutes: 60,
			rooms: 2
		});
		const a = await newApplicantWithInvitation(db(), {
			locations: [loc.code],
			kind: 'detailed_interview',
			interpreterLanguage: 'ti'
		});
		const b = await newApplicantWithInvitation(db(), {
			locations: [loc.code],
			interpreterLanguage: 'ti'
		});
		const results = await Promise.allSettled([
			book(db(), {
				invitationId: a.invitationId,
				slotId: long,
				idempotencyKey: key(),
				actor: a.actor,
				now: NOW
			}),
			book(db(), {
				invitationId: b.invitationId,
				slotId: short,
				idempotencyKey: key(),
				actor: b.actor,
				now: NOW
			})
		]);
		const ok = results.filter((r) => r.status === 'fulfilled');
		expect(ok).toHaveLength(1);
		const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
		expect(failed.reason).toMatchObject({ code: 'no_interpreter', kind: 'conflict' });
		// The refused booking left its room free.
		expect((await slotTaken(db(), long)) + (await slotTaken(db(), short))).toBe(1);
		// The slot that lost is no longer offered to someone who needs the interpreter.
		const loser = results[0].status === 'rejected' ? a : b;
		const visible = await findBookableSlots(db(), {
			invitationId: loser.invitationId,
			userId: loser.userId,
			from: NOW,
			days: 60,
			now: NOW
		});
		expect(visible).toEqual([]);

		// A second interpreter makes room for the other booking.
		await newInterpreter(db(), {
			locationId: loc.id,
			language: 'ti',
			from: '2026-12-21T07:00:00Z',
			to: '2026-12-21T16:00:00Z'
		});
		await book(db(), {
			invitationId: loser.invitationId,
			slotId: loser === a ? long : short,
			idempotencyKey: key(),
			actor: loser.actor,
			now: NOW
		});
		const quarters = await db()
			.selectFrom('interpreter_booking')
			.select(['interpreter_id'])
			.where('quarter', '>=', new Date('2026-12-21T00:00:00Z'))
			.where('quarter', '<', new Date('2026-12-22T00:00:00Z'))
			.execute();
		expect(quarters).toHaveLength(16 + 4);
		expect(new Set(quarters.map((q) => q.interpreter_id)).size).toBe(2);
	});

	it("fills overlapping slots to the last place: an interpreter's day is not cut into gaps", async () => {
		// Two interpreters, one-hour slots every half hour: two tracks of back-to-back hearings fit
		// exactly. Taking the first free interpreter by number would give 10:30 the 09:00 one, and
		// then nobody is free for 10:00.
		const loc = await newLocation(db());
		for (let i = 0; i < 2; i += 1)
			await newInterpreter(db(), {
				locationId: loc.id,
				language: 'so',
				from: '2026-12-21T07:00:00Z',
				to: '2026-12-21T16:00:00Z'
			});
		const at = (time: string) =>
			newSlot(db(), { locationId: loc.id, startsAt: `2026-12-21T${time}:00Z` });
		const slots = {
			'09:00': await at('08:00'),
			'09:30': await at('08:30'),
			'10:00': await at('09:00'),
			'10:30': await at('09:30')
		};
		for (const time of ['09:00', '10:30', '09:30', '10:00'] as const) {
			const applicant = await newApplicantWithInvitation(db(), {
				locations: [loc.code],
				interpreterLanguage: 'so'
			});
			await bookAs(db(), applicant, slots[time]);
		}
		const tracks = await db()
			.selectFrom('appointment')
			.innerJoin('slot', 'slot.id', 'appointment.slot_id')
			.select(['appointment.interpreter_id', 'slot.starts_at'])
			.where('slot.location_id', '=', loc.id)
			.orderBy('slot.starts_at')
			.execute();
		expect(tracks).toHaveLength(4);
		// 09:00 and 10:00 go to one interpreter, 09:30 and 10:30 to the other.
		expect(tracks[0].interpreter_id).toBe(tracks[2].interpreter_id);
		expect(tracks[1].interpreter_id).toBe(tracks[3].interpreter_id);
		expect(tracks[0].interpreter_id).not.toBe(tracks[1].interpreter_id);
	});

	it('moves an appointment in one step, and a failure halfway keeps the old one', async () => {
		const loc = await newLocation(db());
		await newInterpreter(db(), {
			locationId: loc.id,
			language: 'fa',
			from: '2026-12-22T07:00:00Z',
			to: '2026-12-23T16:00:00Z'
		});
		const a = await newApplicantWithInvitation(db(), {
			locations: [loc.code],
			interpreterLanguage: 'fa'
		});
		const b = await newApplicantWithInvitation(db(), {
			locations: [loc.code],
			interpreterLanguage: 'fa'
		});
		const first = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-22T08:00:00Z' });
		const full = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-22T10:00:00Z' });
		const overlapping = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-23T08:00:00Z',
			rooms: 2
		});
		const free = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-23T12:00:00Z' });
		const { appointment } = await bookAs(db(), a, first);
		await bookAs(db(), b, full);
		const move = (slotId: number) =>
			reschedule(db(), {
				appointmentId: appointment.id,
				newSlotId: slotId,
				idempotencyKey: key(),
				actor: a.actor,
				now: NOW
			});

		expect(await refusal(move(full))).toMatchObject({ code: 'slot_full' });
		// Someone else holds the only interpreter on the 23rd; the move takes the room, frees the
		// old appointment, then finds no interpreter: everything is rolled back.
		const c = await newApplicantWithInvitation(db(), {
			locations: [loc.code],
			interpreterLanguage: 'fa'
		});
		await bookAs(db(), c, overlapping);
		expect(await refusal(move(overlapping))).toMatchObject({ code: 'no_interpreter' });
		expect(await appointmentStatus(db(), appointment.id)).toBe('active');
		expect(await slotTaken(db(), first)).toBe(1);
		expect(await slotTaken(db(), overlapping)).toBe(1);
		const held = await db()
			.selectFrom('interpreter_booking')
			.select('quarter')
			.where('appointment_id', '=', appointment.id)
			.execute();
		expect(held).toHaveLength(4);

		const moved = await move(free);
		expect(await appointmentStatus(db(), appointment.id)).toBe('cancelled');
		expect(await slotTaken(db(), first)).toBe(0);
		expect(await slotTaken(db(), free)).toBe(1);
		const old = await db()
			.selectFrom('appointment')
			.select('replaced_by')
			.where('id', '=', appointment.id)
			.executeTakeFirstOrThrow();
		expect(old.replaced_by).toBe(moved.appointment.id);
	});

	it('allows cancelling until 48 hours before the hearing, then refuses with past_cutoff', async () => {
		const loc = await newLocation(db());
		const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const slotId = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-28T08:00:00Z' });
		const { appointment } = await bookAs(db(), a, slotId);
		const late = new Date('2026-12-26T09:00:00Z'); // 47 hours before
		expect(
			await refusal(cancel(db(), { appointmentId: appointment.id, actor: a.actor, now: late }))
		).toMatchObject({ code: 'past_cutoff', kind: 'forbidden' });
		expect(await appointmentStatus(db(), appointment.id)).toBe('active');
		// Another case's applicant cannot cancel it.
		const b = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		expect(
			await refusal(cancel(db(), { appointmentId: appointment.id, actor: b.actor, now: NOW }))
		).toMatchObject({ kind: 'not_found' });

		await cancel(db(), {
			appointmentId: appointment.id,
			actor: a.actor,
			now: new Date('2026-12-26T07:00:00Z') // 49 hours before
		});
		expect(await appointmentStatus(db(), appointment.id)).toBe('cancelled');
		expect(await slotTaken(db(), slotId)).toBe(0);
		const invitation = await db()
			.selectFrom('hearing_invitation')
			.select('status')
			.where('id', '=', a.invitationId)
			.executeTakeFirstOrThrow();
		expect(invitation.status).toBe('open');
	});

	it('tells the case system each booking, move and cancellation, in order', async () => {
		const loc = await newLocation(db());
		const before = await listCaseChanges(db(), 0, 10_000);
		const cursor = before.at(-1)?.cursor ?? 0;
		const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const s1 = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-29T08:00:00Z' });
		const s2 = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-30T08:00:00Z' });
		const { appointment } = await bookAs(db(), a, s1);
		const moved = await reschedule(db(), {
			appointmentId: appointment.id,
			newSlotId: s2,
			idempotencyKey: key(),
			actor: a.actor,
			now: NOW
		});
		await cancel(db(), { appointmentId: moved.appointment.id, actor: a.actor, now: NOW });
		const changes = (await listCaseChanges(db(), cursor)).filter((c) => c.case === a.reference);
		expect(changes.map((c) => c.kind)).toEqual(['booked', 'moved', 'cancelled']);
		expect(changes[0].data).toMatchObject({ location: loc.code, kind: 'registration_interview' });
	});
});
