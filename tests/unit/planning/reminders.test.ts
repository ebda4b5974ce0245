/**
 * Reminders 72 and 24 hours before a hearing are pg-boss jobs, keyed per appointment and lead
 * on a queue whose policy keeps one per key. Booking schedules them, moving replaces them,
 * cancelling removes them, and a job whose appointment changed since sends nothing.
 */
import { expect, it } from 'vitest';
import type { PgBoss } from 'pg-boss';
import { describeEachEngine } from '../helpers/engines';
import { startJobs } from '$lib/server/jobs';
import { cancel, reschedule } from '$lib/server/planning/booking.service';
import {
	flushBookedReminders,
	planReminders,
	REMINDER_QUEUE,
	sendReminder,
	type ReminderJob
} from '$lib/server/planning/reminders';
import { addDays, dutchDate } from '$lib/time';
import { bookAs, key, newApplicantWithInvitation, newLocation, newSlot } from './fixtures';

const HOUR = 3600_000;

/** A quarter hour `days` days from the real clock: the job queue runs on the real clock. */
function daysAhead(days: number, hours = 0): string {
	const at = Date.now() + days * 24 * HOUR + hours * HOUR;
	return new Date(Math.ceil(at / (15 * 60_000)) * 15 * 60_000).toISOString();
}

async function queuedReminders(boss: PgBoss, appointment: string) {
	const jobs = await boss.findJobs<ReminderJob>(REMINDER_QUEUE, { queued: true });
	return jobs
		.filter((j) => j.data.appointment === appointment)
		.map((j) => ({ key: j.singletonKey, lead: j.data.lead, at: j.startAfter.toISOString() }))
		.sort((a, b) => a.at.localeCompare(b.at));
}

describeEachEngine('hearing reminders', ({ db, engine }) => {
	async function bookedApplicant() {
		const location = await newLocation(db());
		const a = await newApplicantWithInvitation(db(), {
			locations: [location.code],
			bookBefore: addDays(dutchDate(new Date()), 30)
		});
		const first = daysAhead(5);
		const second = daysAhead(6, 2);
		const slots = [
			await newSlot(db(), { locationId: location.id, startsAt: first }),
			await newSlot(db(), { locationId: location.id, startsAt: second })
		];
		return { a, slots, first, second };
	}

	it('are scheduled on booking, replaced on moving and removed on cancelling', async () => {
		const jobs = await startJobs(db(), { embedded: engine === 'pglite' });
		try {
			const { a, slots, first, second } = await bookedApplicant();
			const reader = jobs.boss;
			const booked = await bookAs(db(), a, slots[0], new Date());
			const ref = booked.appointment.reference;
			// A booking's jobs go in with the next batch, 20 ms later; this test does not wait for it.
			await flushBookedReminders();
			const at = (start: string, hours: number) =>
				new Date(new Date(start).getTime() - hours * HOUR).toISOString();
			expect(await queuedReminders(reader, ref)).toEqual([
				{ key: `${ref}:72h`, lead: '72h', at: at(first, 72) },
				{ key: `${ref}:24h`, lead: '24h', at: at(first, 24) }
			]);

			const moved = await reschedule(db(), {
				appointmentId: booked.appointment.id,
				newSlotId: slots[1],
				idempotencyKey: key(),
				actor: a.actor
			});
			const newRef = moved.appointment.reference;
			expect(await queuedReminders(reader, ref)).toEqual([]);
			expect((await queuedReminders(reader, newRef)).map((r) => r.at)).toEqual([
				at(second, 72),
				at(second, 24)
			]);

			await cancel(db(), { appointmentId: moved.appointment.id, actor: a.actor });
			expect(await queuedReminders(reader, newRef)).toEqual([]);
		} finally {
			await jobs.stop();
		}
	});

	it('arrive moments after a booking without the booking waiting, and a move right after leaves none stale', async () => {
		const jobs = await startJobs(db(), { embedded: engine === 'pglite' });
		try {
			const { a, slots } = await bookedApplicant();
			const booked = await bookAs(db(), a, slots[0], new Date());
			const ref = booked.appointment.reference;
			await expect
				.poll(async () => (await queuedReminders(jobs.boss, ref)).map((r) => r.lead))
				.toEqual(['72h', '24h']);
			const again = await bookedApplicant();
			const first = await bookAs(db(), again.a, again.slots[0], new Date());
			// Moved before its jobs' batch went in: the move puts the batch in first, then replaces it.
			const moved = await reschedule(db(), {
				appointmentId: first.appointment.id,
				newSlotId: again.slots[1],
				idempotencyKey: key(),
				actor: again.a.actor
			});
			await flushBookedReminders();
			expect(await queuedReminders(jobs.boss, first.appointment.reference)).toEqual([]);
			expect(
				(await queuedReminders(jobs.boss, moved.appointment.reference)).map((r) => r.lead)
			).toEqual(['72h', '24h']);
		} finally {
			await jobs.stop();
		}
	});

	it('keep one queued job per appointment and lead, and the sweep restores a lost one', async () => {
		const jobs = await startJobs(db(), { embedded: engine === 'pglite' });
		try {
			const reader = jobs.boss;
			const { a, slots, first } = await bookedApplicant();
			const { appointment } = await bookAs(db(), a, slots[0], new Date());
			const ref = appointment.reference;
			await flushBookedReminders();
			// The queue's policy refuses a second job with the same key.
			const twice = await reader.send(
				REMINDER_QUEUE,
				{ appointment: ref, lead: '24h', startsAt: first },
				{ singletonKey: `${ref}:24h`, startAfter: new Date(Date.now() + HOUR) }
			);
			expect(twice).toBeNull();
			// A job lost (here cancelled by hand) comes back with the next sweep.
			const [lost] = (await reader.findJobs<ReminderJob>(REMINDER_QUEUE, { queued: true })).filter(
				(j) => j.singletonKey === `${ref}:72h`
			);
			await reader.cancel(REMINDER_QUEUE, lost.id);
			expect((await queuedReminders(reader, ref)).map((r) => r.lead)).toEqual(['24h']);
			const swept = await planReminders(db(), reader);
			expect(swept.scheduled).toBeGreaterThanOrEqual(1);
			expect((await queuedReminders(reader, ref)).map((r) => r.lead)).toEqual(['72h', '24h']);
		} finally {
			await jobs.stop();
		}
	});

	it('send the e-mail only for an appointment that still stands at the time it was made for', async () => {
		const { a, slots, first } = await bookedApplicant();
		const { appointment } = await bookAs(db(), a, slots[0], new Date());
		const job: ReminderJob = { appointment: appointment.reference, lead: '24h', startsAt: first };
		expect(await sendReminder(db(), { ...job, startsAt: daysAhead(9) })).toBe('skipped');
		expect(await sendReminder(db(), job)).toBe('sent');
		const mail = await db()
			.selectFrom('email_outbox')
			.select(['subject', 'body_text'])
			.where('to_address', '=', a.email)
			.execute();
		expect(mail).toHaveLength(1);
		expect(mail[0].subject).toMatch(/^Reminder: your IND appointment on /);
		expect(mail[0].body_text).toContain(appointment.reference);
		expect(mail[0].body_text).toContain(a.reference);
		await cancel(db(), { appointmentId: appointment.id, actor: a.actor });
		expect(await sendReminder(db(), job)).toBe('skipped');
	});
});
