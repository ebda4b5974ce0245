import { sql } from 'kysely';
import { chainPendingAudit } from '$lib/server/audit/audit.service';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines';
import {
	addInterpreter,
	addShift,
	closeSlot,
	generateSlots,
	markAttendance,
	removeTemplateSlot,
	setTemplateSlot
} from '$lib/server/planning/capacity.service';
import {
	getDayList,
	getLocationPage,
	getPlanningOverview,
	getPublicPlannerFigures
} from '$lib/server/planning/figures.service';
import { expireInvitations } from '$lib/server/planning/invitation.service';
import type { PlanningActor } from '$lib/server/planning/planning.service';
import {
	NOW,
	newApplicantWithInvitation,
	newLocation,
	newSlot,
	refusal,
	staff,
	bookAs
} from './fixtures';

const HOUR = 3_600_000;

describeEachEngine('the planner’s figures and pages', ({ db }) => {
	it('records each capacity change in the audit log with the planner as actor', async () => {
		const planner = await db()
			.insertInto('app_user')
			.values({
				email: 'planner-audit@example.test',
				password_hash: 'x',
				display_name: 'P',
				kind: 'staff'
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const actor: PlanningActor = { userId: planner.id, role: 'planner', ip: '192.0.2.8' };
		const loc = await newLocation(db());
		const { id: templateId } = await setTemplateSlot(
			db(),
			{ locationId: loc.id, kind: 'biometrics', weekday: 3, startTime: '09:00', rooms: 2 },
			actor
		);
		expect(
			await generateSlots(db(), { locationId: loc.id, from: '2026-12-07', weeks: 2 }, actor)
		).toBe(2);
		const { id: interpreterId } = await addInterpreter(
			db(),
			{ locationId: loc.id, language: 'ar', gender: 'female' },
			actor
		);
		await addShift(
			db(),
			{
				interpreterId,
				locationId: loc.id,
				startsAt: new Date('2026-12-09T07:00:00Z'),
				endsAt: new Date('2026-12-09T16:00:00Z')
			},
			actor
		);
		await removeTemplateSlot(db(), { locationId: loc.id, templateId }, actor);
		await chainPendingAudit(db());
		const rows = await db()
			.selectFrom('audit_event')
			.select(['action', 'actor_user_id', 'actor_role', 'ip'])
			.where('actor_user_id', '=', planner.id)
			.orderBy('id')
			.execute();
		expect(rows.map((r) => r.action)).toEqual([
			'planning.template_set',
			'planning.slots_generated',
			'planning.interpreter_added',
			'planning.shift_added',
			'planning.template_removed'
		]);
		expect(rows.every((r) => r.actor_role === 'planner' && r.ip === '192.0.2.8')).toBe(true);

		// Another location's interpreter, or a removed row, is refused and changes nothing.
		const other = await newLocation(db());
		expect(
			await refusal(
				addShift(
					db(),
					{
						interpreterId,
						locationId: other.id,
						startsAt: new Date('2026-12-10T07:00:00Z'),
						endsAt: new Date('2026-12-10T16:00:00Z')
					},
					actor
				)
			)
		).toMatchObject({ code: 'interpreter_not_found' });
		expect(
			await refusal(removeTemplateSlot(db(), { locationId: loc.id, templateId }, actor))
		).toMatchObject({ code: 'template_not_found' });
	});

	it('shows a location’s week with rooms taken, and its interpreters with their shifts', async () => {
		const loc = await newLocation(db());
		const slotId = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-08T08:00:00Z',
			rooms: 2
		});
		const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		await bookAs(db(), a, slotId);
		const { id: interpreterId } = await addInterpreter(
			db(),
			{ locationId: loc.id, language: 'ti' },
			staff
		);
		await addShift(
			db(),
			{
				interpreterId,
				startsAt: new Date('2026-12-08T07:00:00Z'),
				endsAt: new Date('2026-12-08T15:00:00Z')
			},
			staff
		);
		const page = await getLocationPage(db(), String(loc.id), '2026-12-07', NOW);
		expect(page.days).toHaveLength(7);
		expect(page.days[1]).toMatchObject({
			day: '2026-12-08',
			slots: [{ id: slotId, rooms: 2, taken: 1 }]
		});
		expect(page.interpreters).toMatchObject([{ id: interpreterId, language: 'ti', shifts: [{}] }]);
		expect(await refusal(getLocationPage(db(), '999999', '2026-12-07', NOW))).toMatchObject({
			kind: 'not_found'
		});
		expect(await refusal(getLocationPage(db(), 'abc', '2026-12-07', NOW))).toMatchObject({
			kind: 'not_found'
		});
	});

	it('lists the day with every appointment, and closing a booked slot reports who was invited again', async () => {
		const loc = await newLocation(db());
		const slotId = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-09T09:00:00Z' });
		const a = await newApplicantWithInvitation(db(), {
			locations: [loc.code],
			interpreterLanguage: undefined
		});
		const { appointment } = await bookAs(db(), a, slotId);
		const before = await getDayList(db(), String(loc.id), '2026-12-09', NOW);
		expect(before.slots[0].appointments[0].canMark).toBe(false);
		const during = await getDayList(
			db(),
			String(loc.id),
			'2026-12-09',
			new Date('2026-12-09T09:30:00Z')
		);
		expect(during.slots[0].appointments[0].canMark).toBe(true);
		expect(before.slots).toMatchObject([
			{
				id: slotId,
				closed: false,
				appointments: [
					{
						reference: appointment.reference,
						caseReference: a.reference,
						kind: 'registration_interview',
						interpreterLanguage: null,
						interpreterInPerson: false,
						sameGender: false,
						status: 'active'
					}
				]
			}
		]);
		// A slot of another location cannot be closed from this one.
		const other = await newLocation(db());
		expect(
			await refusal(
				closeSlot(db(), { slotId, locationId: other.id, reason: 'x', actor: staff, now: NOW })
			)
		).toMatchObject({ code: 'slot_not_found' });
		const result = await closeSlot(db(), {
			slotId,
			locationId: loc.id,
			reason: 'Lekkage',
			actor: staff,
			now: NOW
		});
		expect(result.rebookingInvitations).toHaveLength(1);
		const after = await getDayList(db(), String(loc.id), '2026-12-09');
		expect(after.slots[0]).toMatchObject({ closed: true, closedReason: 'Lekkage' });
		expect(after.slots[0].appointments[0]).toMatchObject({
			status: 'cancelled',
			cancelReason: 'slot_closed'
		});
		expect(
			await refusal(
				closeSlot(db(), { slotId, locationId: loc.id, reason: 'again', actor: staff, now: NOW })
			)
		).toMatchObject({ code: 'slot_closed' });
	});

	it('gives planners the shortfall, lapsed invitations, lead time, use of capacity and no-show share', async () => {
		const loc = await newLocation(db());
		const lonely = await newLocation(db());
		// One open invitation with a free slot in time, one with none before its date.
		const served = await newApplicantWithInvitation(db(), {
			locations: [loc.code],
			bookBefore: '2026-12-31'
		});
		await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-10T08:00:00Z', rooms: 3 });
		await newApplicantWithInvitation(db(), { locations: [lonely.code], bookBefore: '2026-12-31' });
		// One past its book-before day, expired by the job.
		const late = await newApplicantWithInvitation(db(), {
			locations: [lonely.code],
			bookBefore: '2026-11-30'
		});
		expect(await expireInvitations(db(), NOW)).toBeGreaterThanOrEqual(1);

		// Two hearings that took place: one attended, one not.
		const past = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-03T08:00:00Z',
			rooms: 2
		});
		const attendances = [];
		for (const outcome of ['attended', 'no_show'] as const) {
			const x = await newApplicantWithInvitation(db(), { locations: [loc.code] });
			const { appointment } = await bookAs(db(), x, past);
			attendances.push({ id: appointment.id, outcome });
		}
		const later = new Date('2026-12-03T09:00:00Z');
		for (const { id, outcome } of attendances)
			await markAttendance(db(), { appointmentId: id, outcome, actor: staff, now: later });

		// The invitations belong to this test's fixed time line (the events say 20 November); their
		// rows were written by the real clock, which passed the hearing above on 3 December 2026.
		await sql`update hearing_invitation set created_at = '2026-11-20T09:00:00Z'`.execute(db());
		const overview = await getPlanningOverview(db(), NOW);
		expect(overview.shortfall.find((r) => r.location === lonely.code)).toMatchObject({
			kind: 'registration_interview',
			withoutSlot: 1
		});
		expect(overview.shortfall.find((r) => r.location === loc.code)).toBeUndefined();
		expect(overview.lapsed.find((r) => r.caseReference === late.reference)).toMatchObject({
			status: 'expired',
			bookBefore: '2026-11-30'
		});
		expect(overview.lapsed.find((r) => r.caseReference === served.reference)).toBeUndefined();
		const here = overview.locations.find((l) => l.id === loc.id)!;
		// Rooms in open slots in the 4 weeks ahead: 2 (past slot, 2 taken, starts after NOW) + 3.
		expect(here.ahead).toEqual({ rooms: 5, taken: 2 });
		expect(overview.leadTime.appointments).toBeGreaterThanOrEqual(2);
		expect(overview.leadTime.medianDays).toBeGreaterThan(0);

		// The no-show share counts hearings that have taken place: seen from after the hearing.
		const afterwards = await getPlanningOverview(db(), new Date('2026-12-04T08:00:00Z'));
		expect(afterwards.noShow.find((r) => r.kind === 'registration_interview')).toMatchObject({
			attended: 1,
			noShow: 1,
			share: 0.5
		});
		expect(afterwards.noShow.find((r) => r.kind === 'biometrics')).toMatchObject({ share: null });
	});
});

describeEachEngine('the planner’s public figures', ({ db }) => {
	it('hides both figures until there is enough data, then gives the no-show share and the median days to the first free slot', async () => {
		const empty = await getPublicPlannerFigures(db(), NOW);
		expect(empty.noShow.share).toBeNull();
		expect(empty.firstFreeSlot.medianDays).toBeNull();

		const loc = await newLocation(db());
		// Free slots 2, 4 and 6 days ahead of NOW (09:00 Amsterdam).
		for (const day of ['2026-12-04', '2026-12-06', '2026-12-08'])
			await newSlot(db(), { locationId: loc.id, startsAt: `${day}T08:00:00Z`, rooms: 20 });
		// 12 hearings yesterday, 3 of them no-shows.
		const yesterday = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-01T08:00:00Z',
			rooms: 12
		});
		for (let i = 0; i < 12; i += 1) {
			const x = await newApplicantWithInvitation(db(), { locations: [loc.code] });
			const { appointment } = await bookAs(db(), x, yesterday, new Date('2026-11-30T08:00:00Z'));
			await markAttendance(db(), {
				appointmentId: appointment.id,
				outcome: i < 3 ? 'no_show' : 'attended',
				actor: staff,
				now: NOW
			});
		}
		// 5 open invitations: each finds the slot 2 days ahead first.
		for (let i = 0; i < 5; i += 1)
			await newApplicantWithInvitation(db(), { locations: [loc.code] });
		// One that no slot serves (another kind).
		await newApplicantWithInvitation(db(), { locations: [loc.code], kind: 'biometrics' });

		const figures = await getPublicPlannerFigures(db(), NOW);
		expect(figures.noShow).toMatchObject({ marked: 12, share: 0.25, days: 90 });
		expect(figures.firstFreeSlot).toMatchObject({ openInvitations: 6, withoutSlot: 1 });
		expect(figures.firstFreeSlot.medianDays).toBeCloseTo((2 * 24 * HOUR) / (24 * HOUR), 5);
	});
});
