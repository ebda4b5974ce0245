/**
 * Hearing capacity, for planners: locations, weekly templates that become slots, the interpreter
 * pool, closing a slot or a day, and marking attendance. Closing never drops a booking silently:
 * each appointment is cancelled, its applicant gets a rebooking invitation that comes first in
 * line and an e-mail.
 */
import type { Db } from '$lib/server/db';
import type { Gender } from '$lib/server/db/schema';
import { addDays, dutchWallTime, isoWeekdayOf, startOfDutchDay, type IsoDate } from '$lib/time';
import * as repo from './planning.repository';
import { planningErrors } from './planning.errors';
import {
	audit,
	inTransaction,
	notifyApplicants,
	planningConfig,
	releaseAppointments,
	today,
	type PlanningActor,
	type PlanningConfig,
	type Trx
} from './planning.service';
import { recordChanges } from '$lib/server/changes/change.service';
import { dropOffers } from './waitlist.service';

export interface LocationInput {
	code: string;
	name: string;
	address: string;
	accessibility?: string;
	directions?: string;
}

export async function createLocation(db: Db, input: LocationInput, actor: PlanningActor) {
	return inTransaction(db, async (trx) => {
		const row = await repo.insertLocation(trx, {
			code: input.code,
			name: input.name,
			address: input.address,
			accessibility: input.accessibility ?? '',
			directions: input.directions ?? ''
		});
		await audit(trx, actor, { action: 'planning.location_created', subject: input.code });
		return row;
	});
}

export interface TemplateInput {
	locationId: number;
	kind: string;
	/** 1 = Monday … 7 = Sunday. */
	weekday: number;
	/** Amsterdam wall-clock time `HH:MM` on a quarter hour. */
	startTime: string;
	rooms: number;
}

/** Adds a weekly slot to a location's template, or sets its rooms when it exists. */
export async function setTemplateSlot(db: Db, input: TemplateInput) {
	return repo.insertTemplate(db, {
		location_id: input.locationId,
		kind: input.kind,
		weekday: input.weekday,
		start_time: input.startTime,
		rooms: input.rooms
	});
}

export interface GenerateInput {
	locationId: number;
	/** The first day, in Amsterdam. */
	from: IsoDate;
	weeks: number;
}

/**
 * Expands the location's weekly template into slots for `weeks` weeks from `from`. Each start is
 * the template's Amsterdam wall-clock time on that day, so 09:00 stays 09:00 across the changes
 * to and from summer time. Slots that exist already are kept as they are: running it twice
 * creates nothing new. Returns how many slots were created.
 */
export async function generateSlots(db: Db, input: GenerateInput): Promise<number> {
	const templates = await repo.findTemplatesWithDuration(db, input.locationId);
	const rows = [];
	for (let i = 0; i < input.weeks * 7; i += 1) {
		const day = addDays(input.from, i);
		const weekday = isoWeekdayOf(day);
		for (const t of templates.filter((t) => t.weekday === weekday)) {
			const startsAt = dutchWallTime(day, t.start_time);
			rows.push({
				location_id: input.locationId,
				kind: t.kind,
				starts_at: startsAt,
				ends_at: new Date(startsAt.getTime() + t.duration_minutes * 60_000),
				rooms: t.rooms
			});
		}
	}
	return repo.insertSlots(db, rows);
}

export async function addInterpreter(
	db: Db,
	input: { locationId: number; language: string; gender?: Gender | null; name?: string }
) {
	return repo.insertInterpreter(db, {
		location_id: input.locationId,
		language: input.language,
		gender: input.gender ?? null,
		name: input.name ?? ''
	});
}

/** When an interpreter is present at their location. */
export async function addShift(
	db: Db,
	input: { interpreterId: number; startsAt: Date; endsAt: Date }
) {
	if (input.endsAt <= input.startsAt) throw planningErrors.error('invalid');
	return repo.insertShift(db, {
		interpreter_id: input.interpreterId,
		starts_at: input.startsAt,
		ends_at: input.endsAt
	});
}

export interface CloseResult {
	slots: number;
	cancelled: number;
	rebookingInvitations: number[];
}

async function closeSlots(
	trx: Trx,
	slotIds: number[],
	reason: string,
	actor: PlanningActor,
	now: Date,
	config: PlanningConfig
): Promise<CloseResult> {
	const result: CloseResult = { slots: 0, cancelled: 0, rebookingInvitations: [] };
	for (const slot of await repo.lockSlots(trx, slotIds)) {
		if (slot.closed_at) continue;
		await repo.closeSlotRow(trx, slot.id, reason, now);
		const offers = await repo.lockHeldOffersOfSlot(trx, slot.id);
		await dropOffers(trx, offers, 'expired');
		const booked = await repo.lockActiveAppointmentsOfSlot(trx, slot.id);
		await releaseAppointments(
			trx,
			booked.map((a) => ({ id: a.id, slot_id: slot.id })),
			now,
			'slot_closed'
		);
		const oldInvitations = booked.map((a) => a.invitation_id);
		await repo.updateInvitationStatus(trx, oldInvitations, 'cancelled');
		await repo.setWaitlistStatusOfInvitations(trx, oldInvitations, 'left');
		const fresh = await repo.insertRebookingInvitations(
			trx,
			oldInvitations,
			addDays(today(now), config.rebookDays)
		);
		const freshOf = new Map(fresh.map((f) => [f.case_id, f.id]));
		await notifyApplicants(
			trx,
			booked.map((a) => ({ caseId: a.case_id, template: 'hearing_rebook', time: slot.starts_at }))
		);
		await audit(trx, actor, {
			action: 'planning.slot_closed',
			subject: String(slot.id),
			reason,
			details: { slotId: slot.id, cancelled: booked.map((a) => a.id) }
		});
		await recordChanges(
			trx,
			booked.map((a) => ({
				kind: 'cancelled' as const,
				appointmentId: a.id,
				caseReference: a.case_reference,
				data: { reason: 'slot_closed', rebookingInvitation: freshOf.get(a.case_id) ?? null }
			}))
		);
		result.slots += 1;
		result.cancelled += booked.length;
		result.rebookingInvitations.push(...fresh.map((f) => f.id));
	}
	return result;
}

export interface CloseSlotInput {
	slotId: number;
	reason: string;
	actor: PlanningActor;
	now?: Date;
	config?: PlanningConfig;
}

export async function closeSlot(db: Db, input: CloseSlotInput): Promise<CloseResult> {
	const reason = input.reason.trim();
	if (!reason) throw planningErrors.error('invalid', { field: 'reason' });
	const now = input.now ?? new Date();
	return inTransaction(db, async (trx) => {
		const slot = await repo.findSlot(trx, input.slotId);
		if (!slot) throw planningErrors.error('slot_not_found');
		return closeSlots(trx, [slot.id], reason, input.actor, now, input.config ?? planningConfig());
	});
}

export interface CloseDayInput {
	locationId: number;
	day: IsoDate;
	reason: string;
	actor: PlanningActor;
	now?: Date;
	config?: PlanningConfig;
}

/** Closes every open slot of the day at the location, as `closeSlot` closes one. */
export async function closeDay(db: Db, input: CloseDayInput): Promise<CloseResult> {
	const reason = input.reason.trim();
	if (!reason) throw planningErrors.error('invalid', { field: 'reason' });
	const now = input.now ?? new Date();
	return inTransaction(db, async (trx) => {
		const slotIds = await repo.findSlotIdsOfDay(
			trx,
			input.locationId,
			startOfDutchDay(input.day),
			startOfDutchDay(addDays(input.day, 1))
		);
		return closeSlots(trx, slotIds, reason, input.actor, now, input.config ?? planningConfig());
	});
}

export interface AttendanceInput {
	appointmentId: number;
	outcome: 'attended' | 'no_show';
	actor: PlanningActor;
	now?: Date;
}

/** Staff mark an appointment attended or no-show, once its time has come. */
export async function markAttendance(db: Db, input: AttendanceInput) {
	const now = input.now ?? new Date();
	return inTransaction(db, async (trx) => {
		const appointment = await repo.lockAppointment(trx, input.appointmentId);
		if (!appointment) throw planningErrors.error('not_found');
		if (appointment.status !== 'active') throw planningErrors.error('not_active');
		if (now < appointment.starts_at) throw planningErrors.error('too_early');
		await repo.setAppointmentStatus(trx, appointment.id, input.outcome, now);
		await audit(trx, input.actor, {
			action: `planning.${input.outcome}`,
			caseId: appointment.case_id,
			subject: appointment.reference
		});
		await recordChanges(trx, [
			{
				kind: input.outcome,
				appointmentId: appointment.id,
				caseReference: appointment.case_reference,
				data: { reference: appointment.reference }
			}
		]);
	});
}
