/**
 * Booking, moving and cancelling a hearing by (or for) the applicant. Each is one transaction:
 * it locks the invitation or appointment, takes the room with a conditional UPDATE, books the
 * interpreter's quarters and inserts the appointment, so two requests can never both get the
 * last room. Every booking request carries an idempotency key; a replay returns the appointment
 * the first request made.
 */
import type { Db } from '$lib/server/db';
import type { AppointmentStatus, Gender } from '$lib/server/db/schema';
import * as repo from './planning.repository';
import { planningErrors } from './planning.errors';
import {
	audit,
	cutoffHours,
	inTransaction,
	endOfBookBefore,
	findReplay,
	findSlotOrThrow,
	ownerOf,
	assignInterpreter,
	auditRow,
	bookRoomRecorded,
	placeAppointment,
	planningConfig,
	releaseAppointments,
	requireLiveInvitation,
	requireSlotFits,
	takeRoomOrThrow,
	today,
	type PlanningActor,
	type PlanningConfig,
	type PlanningRequest,
	lockOwnAppointment,
	lockOwnOpenInvitation
} from './planning.service';
import { recordChanges } from '$lib/server/changes/change.service';
import { remindersBooked, remindersChanged } from './reminders';
import { nudgeAuditChain } from '$lib/server/audit/audit.chain';
import { offerFreedPlaces } from './waitlist.service';

const DAY_MS = 86_400_000;

export interface BookableSlotQuery {
	invitationId: number;
	/** The applicant's account: only their own invitation answers. */
	userId: number;
	from: Date;
	days: number;
	now?: Date;
	/** One of the invitation's locations only; a code it does not allow finds nothing. */
	location?: string;
	/** Only the first free slot of each location (the booking page's first step). */
	firstPerLocation?: boolean;
	/** Leave out this slot (the one the applicant holds now). */
	exceptSlot?: number;
}

export interface BookableSlot {
	id: number;
	startsAt: Date;
	endsAt: Date;
	location: string;
}

/**
 * The slots the invitation may book: its kind, at its locations, from now until its book-before
 * day, open, with a free room and, when needed, a free interpreter of its language.
 */
export async function findBookableSlots(db: Db, query: BookableSlotQuery): Promise<BookableSlot[]> {
	const now = query.now ?? new Date();
	const invitation = requireLiveInvitation(
		await repo.findInvitationOfOwner(db, query.invitationId, query.userId)
	);
	const from = query.from > now ? query.from : now;
	const last = endOfBookBefore(invitation.book_before);
	const horizon = new Date(from.getTime() + Math.max(0, query.days) * DAY_MS);
	const until = horizon < last ? horizon : last;
	if (until <= from) return [];
	const locations =
		query.location === undefined
			? invitation.locations
			: invitation.locations.filter((l) => l === query.location);
	if (locations.length === 0) return [];
	const rows = await repo.findBookableSlotRows(db, {
		kind: invitation.kind,
		locations,
		from: new Date(from.getTime() + 1),
		until,
		interpreterLanguage: invitation.interpreter_language,
		exceptSlot: query.exceptSlot,
		firstPerLocation: query.firstPerLocation
	});
	return rows.map(([id, startsMs, endsMs, location]) => ({
		id,
		startsAt: new Date(startsMs),
		endsAt: new Date(endsMs),
		location
	}));
}

export interface BookInput extends PlanningRequest {
	/** The case the request was made on (its page's URL): the invitation must be of it. */
	caseReference?: string;
	invitationId: number;
	slotId: number;
	idempotencyKey: string;
}

/** The invitation may take a new appointment: open, and its book-before day not past. */
function requireOpenInvitation(
	invitation: Pick<repo.InvitationRecord, 'status' | 'book_before'>,
	now: Date
) {
	if (invitation.status === 'booked') throw planningErrors.error('already_booked');
	if (invitation.status !== 'open' || invitation.book_before < today(now))
		throw planningErrors.error('invitation_closed');
}

/** The slot a booking request asked for, or slot_not_found for a forged id. */
function requestedSlot(state: repo.BookingState) {
	if (state.slot_id === null) throw planningErrors.error('slot_not_found');
	return {
		id: state.slot_id,
		kind: state.slot_kind!,
		location_code: state.slot_location_code!,
		starts_at: state.slot_starts_at!,
		ends_at: state.slot_ends_at!,
		closed_at: state.slot_closed_at
	};
}

function bookingRequest(input: BookInput) {
	return {
		invitationId: input.invitationId,
		ownerUserId: ownerOf(input.actor),
		caseReference: input.caseReference,
		slotId: input.slotId,
		idempotencyKey: input.idempotencyKey
	};
}

/**
 * The booking request read without locks, with every check made on it: the invitation, the
 * slot, and whether the key booked before (then the appointment it booked). Most requests of a
 * rush are for a slot already full, and are answered by this one query.
 */
async function checkedRequest(db: Db, input: BookInput, now: Date) {
	const state = await repo.findBookingState(db, bookingRequest(input));
	if (!state) throw planningErrors.error('not_found');
	if (state.replayed) {
		const replay = await findReplay(db, input.idempotencyKey, {
			invitationId: state.id,
			slotId: input.slotId
		});
		if (replay) return { replay: true as const, appointment: replay };
	}
	requireOpenInvitation(state, now);
	const slot = requestedSlot(state);
	requireSlotFits(state, slot, now);
	if (state.slot_taken! >= state.slot_rooms!) throw planningErrors.error('slot_full');
	return { replay: false as const, state, slot };
}

/**
 * Checks the request as read, then books in one statement guarded by what may have changed
 * since: the invitation still open, the slot still open with a room free. An interpreter, when
 * needed, is booked in the same transaction. When the guard holds nothing back, the request is
 * read again to say why, or to find the appointment that a first request with the same key made.
 */
export async function book(db: Db, input: BookInput) {
	const now = input.now ?? new Date();
	const checked = await checkedRequest(db, input, now);
	if (checked.replay) return replayed(checked.appointment);
	const { state, slot } = checked;
	const placement = {
		invitation: state,
		slotId: slot.id,
		idempotencyKey: input.idempotencyKey,
		actor: input.actor
	};
	const records = (reference: string) => ({
		audit: auditRow(input.actor, {
			action: 'planning.booked',
			caseId: state.case_id,
			subject: reference,
			details: { invitationId: state.id, slotId: slot.id }
		}),
		change: {
			kind: 'booked' as const,
			case_reference: state.case_reference,
			// An interpreter is booked in the same transaction, or nothing is.
			data: bookingData(slot, { reference, interpreter: state.interpreter_language !== null })
		}
	});
	const appointment = state.interpreter_language
		? await inTransaction(db, async (trx) => {
				const placed = await bookRoomRecorded(trx, placement, records);
				// The statement that placed it took the interpreter pool as well.
				return placed && assignInterpreter(trx, placement, placed, { poolHeld: true });
			})
		: await bookRoomRecorded(db, placement, records);
	if (!appointment) {
		const again = await checkedRequest(db, input, now);
		if (again.replay) return replayed(again.appointment);
		throw planningErrors.error('slot_full');
	}
	nudgeAuditChain();
	remindersBooked({ reference: appointment.reference, starts_at: slot.starts_at });
	return { appointment, replayed: false };
}

/** A replay answers with the first request's appointment; its reminders are checked again. */
async function replayed<A extends { reference: string }>(appointment: A) {
	await remindersChanged([appointment.reference]);
	return { appointment, replayed: true };
}

function bookingData(
	slot: Pick<repo.SlotRecord, 'kind' | 'location_code' | 'starts_at' | 'ends_at'>,
	appointment: { reference: string; interpreter: boolean }
) {
	return {
		reference: appointment.reference,
		kind: slot.kind,
		location: slot.location_code,
		startsAt: slot.starts_at.toISOString(),
		endsAt: slot.ends_at.toISOString(),
		interpreter: appointment.interpreter
	};
}

/** The applicant may move or cancel an appointment while it is active, up to the cut-off before it. */
function requireChangeable(
	appointment: { status: AppointmentStatus; starts_at: Date },
	now: Date,
	config: PlanningConfig
): void {
	if (appointment.status !== 'active') throw planningErrors.error('not_active');
	if (appointment.starts_at.getTime() - now.getTime() < config.cancelCutoffMs)
		throw planningErrors.error('past_cutoff', { params: { hours: cutoffHours(config) } });
}

export interface RescheduleInput extends PlanningRequest {
	appointmentId: number;
	newSlotId: number;
	idempotencyKey: string;
}

/**
 * Moves an appointment to another slot. The old one stays active until the new one is placed:
 * all in one transaction, so a full slot or a missing interpreter leaves everything as it was.
 */
export async function reschedule(db: Db, input: RescheduleInput) {
	const now = input.now ?? new Date();
	const config = input.config ?? planningConfig();
	let replaced: string | undefined;
	const result = await inTransaction(db, async (trx) => {
		const current = await lockOwnAppointment(trx, input.appointmentId, input.actor);
		replaced = current.reference;
		const invitation = await repo.lockInvitation(trx, current.invitation_id);
		if (!invitation) throw planningErrors.error('not_found');
		const replay = await findReplay(trx, input.idempotencyKey, {
			invitationId: invitation.id,
			slotId: input.newSlotId
		});
		if (replay) return { appointment: replay, replayed: true };
		requireChangeable(current, now, config);
		if (input.newSlotId === current.slot_id) throw planningErrors.error('invalid');
		const slot = await findSlotOrThrow(trx, input.newSlotId);
		requireSlotFits(invitation, slot, now);
		// Both slots in id order: two people swapping times cannot lock each other out.
		await repo.lockSlots(trx, [current.slot_id, slot.id]);
		await takeRoomOrThrow(trx, slot);
		const freed = await releaseAppointments(trx, [current], now, 'moved');
		const appointment = await placeAppointment(trx, {
			invitation,
			slotId: slot.id,
			idempotencyKey: input.idempotencyKey,
			actor: input.actor
		});
		await repo.setAppointmentReplacedBy(trx, current.id, appointment.id);
		await offerFreedPlaces(trx, freed, now, config);
		await audit(trx, input.actor, {
			action: 'planning.moved',
			caseId: invitation.case_id,
			subject: appointment.reference,
			details: { from: current.reference, fromSlotId: current.slot_id, slotId: slot.id }
		});
		await recordChanges(trx, [
			{
				kind: 'moved',
				appointmentId: appointment.id,
				caseReference: invitation.case_reference,
				data: {
					...bookingData(slot, {
						reference: appointment.reference,
						interpreter: appointment.interpreter_id !== null
					}),
					replaces: current.reference
				}
			}
		]);
		return { appointment, replayed: false };
	});
	await remindersChanged([replaced, result.appointment.reference].filter((r) => r !== undefined));
	return result;
}

export interface CancelInput extends PlanningRequest {
	appointmentId: number;
}

/**
 * Cancels the applicant's appointment up to the cut-off before it. The invitation opens again
 * (until its book-before day) and the freed place goes to the waitlist first.
 */
export async function cancel(db: Db, input: CancelInput) {
	const now = input.now ?? new Date();
	const config = input.config ?? planningConfig();
	let cancelled = '';
	const result = await inTransaction(db, async (trx) => {
		const current = await lockOwnAppointment(trx, input.appointmentId, input.actor);
		cancelled = current.reference;
		requireChangeable(current, now, config);
		const invitation = await repo.lockInvitation(trx, current.invitation_id);
		const freed = await releaseAppointments(trx, [current], now, 'applicant');
		if (invitation)
			await repo.updateInvitationStatus(
				trx,
				[invitation.id],
				invitation.book_before < today(now) ? 'expired' : 'open'
			);
		await offerFreedPlaces(trx, freed, now, config);
		await audit(trx, input.actor, {
			action: 'planning.cancelled',
			caseId: current.case_id,
			subject: current.reference
		});
		await recordChanges(trx, [
			{
				kind: 'cancelled',
				appointmentId: current.id,
				caseReference: current.case_reference,
				data: { reference: current.reference, reason: 'applicant' }
			}
		]);
		return { appointmentId: current.id };
	});
	await remindersChanged([cancelled]);
	return result;
}

export interface SameGenderInput {
	invitationId: number;
	applicantGender: Gender;
	actor: PlanningActor;
}

/**
 * For an asylum hearing the applicant may ask for an interpreter of their own gender. Bookings
 * then pick one where the pool has one free, and any interpreter otherwise; the planner sees
 * the request on the invitation.
 */
export async function requestSameGender(db: Db, input: SameGenderInput): Promise<void> {
	await inTransaction(db, async (trx) => {
		const invitation = await lockOwnOpenInvitation(trx, input.invitationId, input.actor);
		const kind = await repo.findHearingKind(trx, invitation.kind);
		if (!kind?.asylum || !invitation.interpreter_language)
			throw planningErrors.error('invalid', { field: 'sameGender' });
		await repo.setSameGenderRequest(trx, invitation.id, input.applicantGender);
		await audit(trx, input.actor, {
			action: 'planning.same_gender_requested',
			caseId: invitation.case_id,
			details: { invitationId: invitation.id }
		});
	});
}
