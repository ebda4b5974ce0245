import { expect, test } from 'vitest';
import { sql } from 'kysely';
import { describeEachEngine } from '../helpers/engines';
import { runPlanningHousekeeping } from '$lib/server/housekeeping/housekeeping.service';
import { PLANNING_CRON, PLANNING_QUEUE, startJobs } from '$lib/server/jobs';
import { cancel } from '$lib/server/planning/booking.service';
import { joinWaitlist } from '$lib/server/planning/waitlist.service';
import {
	NOW,
	newApplicantWithInvitation,
	newLocation,
	newSlot,
	slotTaken,
	bookAs
} from '../planning/fixtures';

describeEachEngine('the planner’s periodic jobs', ({ db, engine }) => {
	test('expire invitations past their book-before day and held offers, passing each place to the next in line', async () => {
		const loc = await newLocation(db());
		const lapsed = await newApplicantWithInvitation(db(), {
			locations: [loc.code],
			bookBefore: '2026-12-01'
		});
		const slotId = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-14T08:00:00Z' });
		const holder = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const first = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const second = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const { appointment } = await bookAs(db(), holder, slotId);
		await joinWaitlist(db(), { invitationId: first.invitationId, actor: first.actor, now: NOW });
		await joinWaitlist(db(), {
			invitationId: second.invitationId,
			actor: second.actor,
			now: new Date(NOW.getTime() + 60_000)
		});
		await cancel(db(), { appointmentId: appointment.id, actor: holder.actor, now: NOW });
		const offers = () =>
			db()
				.selectFrom('waitlist_offer')
				.innerJoin('waitlist_entry', 'waitlist_entry.id', 'waitlist_offer.entry_id')
				.select(['waitlist_offer.status', 'waitlist_entry.invitation_id'])
				.where('waitlist_offer.slot_id', '=', slotId)
				.orderBy('waitlist_offer.id')
				.execute();
		expect(await offers()).toEqual([{ status: 'held', invitation_id: first.invitationId }]);

		// Before the hold ends only the invitation expires; the offer stands.
		expect(await runPlanningHousekeeping(db(), NOW)).toMatchObject({ offers: 0 });
		const status = await db()
			.selectFrom('hearing_invitation')
			.select('status')
			.where('id', '=', lapsed.invitationId)
			.executeTakeFirstOrThrow();
		expect(status.status).toBe('expired');

		const afterHold = new Date(NOW.getTime() + 3 * 3_600_000);
		expect(await runPlanningHousekeeping(db(), afterHold)).toEqual({ invitations: 0, offers: 1 });
		expect(await offers()).toEqual([
			{ status: 'expired', invitation_id: first.invitationId },
			{ status: 'held', invitation_id: second.invitationId }
		]);
		// The held place still counts as taken, now for the second in line.
		expect(await slotTaken(db(), slotId)).toBe(1);
	});

	test('the job queue runs them every five minutes', async () => {
		const jobs = await startJobs(db(), { embedded: engine === 'pglite' });
		try {
			const { rows } = await sql<{
				cron: string;
				timezone: string;
			}>`select cron, timezone from pgboss.schedule where name = ${PLANNING_QUEUE}`.execute(db());
			expect(rows).toEqual([{ cron: PLANNING_CRON, timezone: 'Europe/Amsterdam' }]);
		} finally {
			await jobs.stop();
		}
	});
});
