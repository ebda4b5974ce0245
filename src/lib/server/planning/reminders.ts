/**
 * Reminders 72 and 24 hours before a hearing, as pg-boss jobs: one per appointment and lead
 * time, keyed `<appointment>:<lead>` on a `short` queue, whose policy keeps one queued job per
 * key. Moving or cancelling an appointment cancels its jobs (a move makes a new appointment,
 * with its own). Each change is followed at once (`remindersChanged`) and again by a sweep every
 * few minutes, which also repairs what a crash between commit and scheduling left undone; a job
 * checks when it runs that its appointment still stands at the time it was made for.
 */
import type { PgBoss } from 'pg-boss';
import type { Db } from '$lib/server/db';
import { queueEmail } from '$lib/server/notify/email.service';
import { queuePush } from '$lib/server/push/push.service';
import { findApplicantContacts } from './planning.repository';
import { findReminderAppointments } from './reminder.repository';
import { formatHearingTime } from './planning.service';

export const REMINDER_QUEUE = 'planning.reminder';
export const REMINDER_SWEEP_QUEUE = 'planning.reminder-sweep';

const HOUR = 3600_000;
const SWEEP_DAYS = 60;
export const REMINDER_LEADS = { '72h': 72 * HOUR, '24h': 24 * HOUR } as const;
type Lead = keyof typeof REMINDER_LEADS;

export interface ReminderJob {
	appointment: string;
	lead: Lead;
	/** The hearing's start the reminder was made for, ISO 8601. */
	startsAt: string;
}

let active: { boss: PgBoss; db: Db } | null = null;

/** Registers the reminder worker and the sweep, and lets `remindersChanged` reach the queue. */
export async function startReminders(boss: PgBoss, db: Db): Promise<void> {
	await boss.createQueue(REMINDER_QUEUE, {
		policy: 'short',
		retryLimit: 3,
		deleteAfterSeconds: 7 * 24 * 3600
	});
	await boss.work<ReminderJob>(REMINDER_QUEUE, async ([job]) => sendReminder(db, job.data));
	await boss.createQueue(REMINDER_SWEEP_QUEUE, {
		policy: 'singleton',
		retryLimit: 0,
		deleteAfterSeconds: 3600
	});
	await boss.work(REMINDER_SWEEP_QUEUE, async () => planReminders(db, boss));
	await boss.schedule(REMINDER_SWEEP_QUEUE, '*/5 * * * *');
	active = { boss, db };
}

/** Inserts the jobs still held, then lets go of the queue. */
export async function stopReminders(boss: PgBoss): Promise<void> {
	if (active?.boss !== boss) return;
	await flushBookedReminders();
	active = null;
}

/**
 * Brings the jobs of these appointments in line with the database, right after the transaction
 * that changed them committed. Never throws: the sweep catches up with what fails here.
 */
export async function remindersChanged(references: string[]): Promise<void> {
	const current = active;
	if (!current || references.length === 0) return;
	// A booking's jobs still held would otherwise land after this change, and stand stale.
	await flushBookedReminders();
	try {
		await planReminders(current.db, current.boss, { references });
	} catch (err) {
		console.error('Reminders: could not reschedule; the sweep will', err);
	}
}

const keyOf = (appointment: string, lead: Lead) => `${appointment}:${lead}`;

/** The reminder jobs these active appointments should have: those whose time is still to come. */
function wantedJobs(appointments: { reference: string; starts_at: Date }[], now: Date) {
	return appointments.flatMap((a) =>
		(Object.keys(REMINDER_LEADS) as Lead[]).flatMap((lead) => {
			const startAfter = new Date(a.starts_at.getTime() - REMINDER_LEADS[lead]);
			if (startAfter <= now) return [];
			const data: ReminderJob = {
				appointment: a.reference,
				lead,
				startsAt: a.starts_at.toISOString()
			};
			return [{ singletonKey: keyOf(a.reference, lead), startAfter, data }];
		})
	);
}

type WantedJob = ReturnType<typeof wantedJobs>[number];

/** Jobs of new appointments not yet inserted; see `remindersBooked`. */
let booked: WantedJob[] = [];
let bookedTimer: ReturnType<typeof setTimeout> | null = null;
let bookedFlush: Promise<void> = Promise.resolve();
const BOOKED_DELAY_MS = 20;

/**
 * The jobs of a new appointment, after the transaction that made it committed. A new reference
 * has no jobs yet, so they are inserted without looking, and together: the jobs of every booking
 * made within 20 ms go in with one insert, which keeps a rush of bookings from each paying for
 * its own (the nearest reminder is a day away). Never waits and never throws: what a crash loses
 * before the insert, the sweep restores.
 */
export function remindersBooked(appointment: { reference: string; starts_at: Date }): void {
	if (!active) return;
	booked.push(...wantedJobs([appointment], new Date()));
	bookedTimer ??= setTimeout(() => void flushBookedReminders(), BOOKED_DELAY_MS);
}

/** Inserts the jobs `remindersBooked` holds, now; resolves when they are in the queue. */
export function flushBookedReminders(): Promise<void> {
	if (bookedTimer) clearTimeout(bookedTimer);
	bookedTimer = null;
	const jobs = booked;
	const current = active;
	booked = [];
	bookedFlush = bookedFlush.then(async () => {
		if (!current || jobs.length === 0) return;
		try {
			await current.boss.insert(REMINDER_QUEUE, jobs);
		} catch (err) {
			console.error('Reminders: could not schedule; the sweep will', err);
		}
	});
	return bookedFlush;
}

/**
 * Upserts the reminder jobs an appointment should have and cancels those it should not. Without
 * `references`: every active appointment of the next 60 days (bookings are made weeks ahead,
 * not months), and every queued job.
 */
export async function planReminders(
	db: Db,
	boss: PgBoss,
	options: { references?: string[]; now?: Date } = {}
): Promise<{ scheduled: number; cancelled: number }> {
	const now = options.now ?? new Date();
	const appointments = await findReminderAppointments(
		db,
		options.references
			? { references: options.references }
			: { startingBetween: [now, new Date(now.getTime() + SWEEP_DAYS * 24 * HOUR)] }
	);
	const wanted = new Map(
		wantedJobs(
			appointments.filter((a) => a.status === 'active'),
			now
		).map((w) => [w.singletonKey, w])
	);
	// One booking looks up only its own jobs, by key; the sweep reads every queued job.
	const queued = options.references
		? (
				await Promise.all(
					options.references.flatMap((reference) =>
						(Object.keys(REMINDER_LEADS) as Lead[]).map((lead) =>
							boss.findJobs<ReminderJob>(REMINDER_QUEUE, {
								key: keyOf(reference, lead),
								queued: true
							})
						)
					)
				)
			).flat()
		: await boss.findJobs<ReminderJob>(REMINDER_QUEUE, { queued: true, limit: 100_000 });
	let cancelled = 0;
	const stale = queued.filter((j) => {
		const want = j.singletonKey ? wanted.get(j.singletonKey) : undefined;
		return !want || want.data.startsAt !== (j.data as ReminderJob).startsAt;
	});
	if (stale.length) {
		await boss.cancel(
			REMINDER_QUEUE,
			stale.map((j) => j.id)
		);
		cancelled = stale.length;
	}
	const present = new Set(queued.filter((j) => !stale.includes(j)).map((j) => j.singletonKey));
	const missing = [...wanted.values()].filter((w) => !present.has(w.singletonKey));
	if (missing.length) await boss.insert(REMINDER_QUEUE, missing);
	return { scheduled: missing.length, cancelled };
}

/**
 * Queues the reminder e-mail, and 24 hours ahead a push to the applicant's devices, unless the
 * appointment was moved or cancelled since.
 */
export async function sendReminder(db: Db, job: ReminderJob): Promise<'sent' | 'skipped'> {
	const [appointment] = await findReminderAppointments(db, { references: [job.appointment] });
	if (
		!appointment ||
		appointment.status !== 'active' ||
		appointment.starts_at.toISOString() !== job.startsAt
	)
		return 'skipped';
	const [contact] = await findApplicantContacts(db, [appointment.case_id]);
	const push = job.lead === '24h';
	if (!contact?.email && !push) return 'skipped';
	const pushed = await db.transaction().execute(async (trx) => {
		const pushes = push
			? await queuePush(trx, [{ caseId: appointment.case_id, kind: 'hearing_reminder' }])
			: 0;
		if (contact?.email)
			await queueEmail(trx, {
				to: contact.email,
				template: 'hearing_reminder',
				lang: contact.language,
				params: {
					name: contact.name,
					reference: contact.reference,
					appointment: appointment.reference,
					time: formatHearingTime(appointment.starts_at, contact.language),
					place: `${appointment.location_name}, ${appointment.location_address}`
				}
			});
		return pushes;
	});
	return contact?.email || pushed ? 'sent' : 'skipped';
}
