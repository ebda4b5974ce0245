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
import * as figures from './figures.repository';
import { planningErrors } from './planning.errors';
import {
	audit,
	cancelInvitations,
	inTransaction,
	notifyApplicants,
	planningConfig,
	recordCancellations,
	releaseAppointments,
	today,
	type PlanningActor,
	type PlanningConfig,
	type PlanningRequest,
	type Trx
} from './planning.service';
import { recordChanges } from '$lib/server/changes/change.service';
import { dropOffers } from './waitlist.service';

/** A new location's columns as stored: accessibility and directions left out default to ''. */
export interface LocationInput {
	code: string;
	name: string;
	address: string;
	accessibility?: string;
	directions?: string;
}

export async function createLocation(db: Db, input: LocationInput, actor: PlanningActor) {
	return inTransaction(db, async (trx) => {
		const row = await repo.insertLocation(trx, input);
		if (!row) throw planningErrors.error('code_taken');
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
export async function setTemplateSlot(db: Db, input: TemplateInput, actor: PlanningActor) {
	return inTransaction(db, async (trx) => {
		const row = await repo.insertTemplate(trx, {
			location_id: input.locationId,
			kind: input.kind,
			weekday: input.weekday,
			start_time: input.startTime,
			rooms: input.rooms
		});
		await audit(trx, actor, {
			action: 'planning.template_set',
			subject: String(input.locationId),
			details: { ...input }
		});
		return row;
	});
}

/** Removes a row of the location's weekly template; slots made from it stay. */
export async function removeTemplateSlot(
	db: Db,
	input: { locationId: number; templateId: number },
	actor: PlanningActor
) {
	return inTransaction(db, async (trx) => {
		const removed = await figures.deleteTemplate(trx, input.locationId, input.templateId);
		if (!removed) throw planningErrors.error('template_not_found');
		await audit(trx, actor, {
			action: 'planning.template_removed',
			subject: String(input.locationId),
			details: { ...removed }
		});
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
export async function generateSlots(
	db: Db,
	input: GenerateInput,
	actor: PlanningActor
): Promise<number> {
	const templates = await repo.findTemplatesWithDuration(db, input.locationId);
	const rows: Parameters<typeof repo.insertSlots>[1] = [];
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
	return inTransaction(db, async (trx) => {
		const created = await repo.insertSlots(trx, rows);
		await audit(trx, actor, {
			action: 'planning.slots_generated',
			subject: String(input.locationId),
			details: { ...input, created }
		});
		return created;
	});
}

export async function addInterpreter(
	db: Db,
	input: { locationId: number; language: string; gender?: Gender | null; name?: string },
	actor: PlanningActor
) {
	return inTransaction(db, async (trx) => {
		const row = await repo.insertInterpreter(trx, {
			location_id: input.locationId,
			language: input.language,
			gender: input.gender ?? null,
			name: input.name ?? ''
		});
		await audit(trx, actor, {
			action: 'planning.interpreter_added',
			subject: String(input.locationId),
			details: { interpreterId: row.id, language: input.language, gender: input.gender ?? null }
		});
		return row;
	});
}

/**
 * When an interpreter is present at their location. With `locationId`, the interpreter must be
 * one of that location's.
 */
export async function addShift(
	db: Db,
	input: { interpreterId: number; startsAt: Date; endsAt: Date; locationId?: number },
	actor: PlanningActor
) {
	if (input.endsAt <= input.startsAt) throw planningErrors.error('shift_order');
	return inTransaction(db, async (trx) => {
		const interpreter = await figures.findInterpreter(trx, input.interpreterId);
		if (
			!interpreter ||
			(input.locationId !== undefined && interpreter.location_id !== input.locationId)
		)
			throw planningErrors.error('interpreter_not_found');
		const row = await repo.insertShift(trx, {
			interpreter_id: input.interpreterId,
			starts_at: input.startsAt,
			ends_at: input.endsAt
		});
		await audit(trx, actor, {
			action: 'planning.shift_added',
			subject: String(interpreter.location_id),
			details: {
				interpreterId: input.interpreterId,
				startsAt: input.startsAt.toISOString(),
				endsAt: input.endsAt.toISOString()
			}
		});
		return row;
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
		await releaseAppointments(trx, booked, now, 'slot_closed');
		const oldInvitations = booked.map((a) => a.invitation_id);
		await cancelInvitations(trx, oldInvitations);
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
		await recordCancellations(trx, booked, (a) => ({
			reason: 'slot_closed',
			rebookingInvitation: freshOf.get(a.case_id) ?? null
		}));
		result.slots += 1;
		result.cancelled += booked.length;
		result.rebookingInvitations.push(...fresh.map((f) => f.id));
	}
	return result;
}

/** A slot closes for a reason the planner gives: the slot keeps it and the audit log records it. */
interface CloseRequest extends PlanningRequest {
	reason: string;
}

/** Closes the slots that `pick` finds, in one transaction. */
async function close(
	db: Db,
	request: CloseRequest,
	pick: (trx: Trx) => Promise<number[]>
): Promise<CloseResult> {
	const reason = request.reason.trim();
	if (!reason) throw planningErrors.error('invalid', { field: 'reason' });
	const now = request.now ?? new Date();
	const config = request.config ?? planningConfig();
	return inTransaction(db, async (trx) =>
		closeSlots(trx, await pick(trx), reason, request.actor, now, config)
	);
}

export interface CloseSlotInput extends CloseRequest {
	slotId: number;
	/** When given, the slot must be at this location. */
	locationId?: number;
}

export async function closeSlot(db: Db, input: CloseSlotInput): Promise<CloseResult> {
	return close(db, input, async (trx) => {
		const slot = await repo.findSlot(trx, input.slotId);
		if (!slot || (input.locationId !== undefined && slot.location_id !== input.locationId))
			throw planningErrors.error('slot_not_found');
		if (slot.closed_at) throw planningErrors.error('slot_closed');
		return [slot.id];
	});
}

export interface CloseDayInput extends CloseRequest {
	locationId: number;
	day: IsoDate;
}

/** Closes every open slot of the day at the location, as `closeSlot` closes one. */
export async function closeDay(db: Db, input: CloseDayInput): Promise<CloseResult> {
	return close(db, input, (trx) =>
		repo.findSlotIdsOfDay(
			trx,
			input.locationId,
			startOfDutchDay(input.day),
			startOfDutchDay(addDays(input.day, 1))
		)
	);
}

export interface AttendanceInput extends PlanningRequest {
	appointmentId: number;
	/** When given, the appointment must be at this location. */
	locationId?: number;
	outcome: 'attended' | 'no_show';
}

/** Staff mark an appointment attended or no-show, once its time has come. */
export async function markAttendance(db: Db, input: AttendanceInput) {
	const now = input.now ?? new Date();
	return inTransaction(db, async (trx) => {
		const appointment = await repo.lockAppointment(trx, input.appointmentId);
		if (!appointment) throw planningErrors.error('not_found');
		if (input.locationId !== undefined) {
			const slot = await repo.findSlot(trx, appointment.slot_id);
			if (slot?.location_id !== input.locationId) throw planningErrors.error('not_found');
		}
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
