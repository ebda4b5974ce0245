/**
 * What the planner's services share: who acts, the configured times, and the steps every path
 * takes when it places or frees an appointment. A booking takes a room with one conditional
 * UPDATE and books its interpreter's quarter hours with rows the primary key keeps unique, in
 * the transaction that inserts the appointment, so the database, not a check made beforehand,
 * refuses the second booking.
 */
import { randomInt } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { InvitationStatus } from '$lib/server/db/schema';
import {
	pendingAuditRow,
	recordAuditAfterCommit,
	type Actor,
	type AuditEntry
} from '$lib/server/audit/audit.service';
import { nudgeAuditChain } from '$lib/server/audit/audit.chain';
import { addDays, dutchDate, startOfDutchDay } from '$lib/time';
import { queueEmail } from '$lib/server/notify/email.service';
import { formatDate } from '$lib/i18n/format';
import { queuePush } from '$lib/server/push/push.service';
import { recordChanges } from '$lib/server/changes/change.service';
import { numberFromEnv } from '$lib/server/config/env';
import * as repo from './planning.repository';
import { planningErrors } from './planning.errors';

export type Trx = Transaction<Database>;

/**
 * Who acts. An applicant acts for themselves; counter staff act `onBehalfOf` an applicant's
 * account, and the audit log records both.
 */
export type PlanningActor = Actor & { onBehalfOf?: number | null };

export interface PlanningConfig {
	/** Cancelling or moving is possible until this long before the hearing. */
	cancelCutoffMs: number;
	/** How long a place offered to the waitlist is held for the person it was offered to. */
	offerHoldMs: number;
	/** A rebooking invitation (its slot was closed) may be booked at least this many days ahead. */
	rebookDays: number;
}

/**
 * What every change asks of the planner: who acts, and when. `now` and `config` default to the
 * present and the environment's settings; tests and jobs fix them.
 */
export interface PlanningRequest {
	actor: PlanningActor;
	now?: Date;
	config?: PlanningConfig;
}

const HOUR_MS = 3_600_000;

export function planningConfig(env: NodeJS.ProcessEnv = process.env): PlanningConfig {
	return {
		cancelCutoffMs: numberFromEnv(env.PLANNER_CANCEL_CUTOFF_HOURS, 48) * HOUR_MS,
		offerHoldMs: numberFromEnv(env.PLANNER_OFFER_HOLD_HOURS, 2) * HOUR_MS,
		rebookDays: 14
	};
}

/** The cut-off in whole hours, as the applicant reads it. */
export function cutoffHours(config: PlanningConfig): number {
	return Math.round(config.cancelCutoffMs / HOUR_MS);
}

const DEADLOCK = '40P01';
const SERIALIZATION_FAILURE = '40001';
const ATTEMPTS = 3;

/**
 * Runs `work` in a transaction, again (up to three times in all) when PostgreSQL ends it as a
 * deadlock victim. Paths lock in different orders (a closing slot locks the slot, then its
 * appointments; a cancellation the appointment, then its slot), and PostgreSQL breaks such a
 * cycle by failing one side. Everything the work does, e-mail included, is in the transaction,
 * so running it again is safe.
 */
export async function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
	for (let attempt = 1; ; attempt += 1) {
		try {
			const result = await db.transaction().execute(work);
			nudgeAuditChain();
			return result;
		} catch (error) {
			const code = (error as { code?: unknown }).code;
			if (attempt >= ATTEMPTS || (code !== DEADLOCK && code !== SERIALIZATION_FAILURE)) throw error;
		}
	}
}

/** The applicant's account the actor acts for. */
export function ownerOf(actor: PlanningActor): number {
	const owner = actor.onBehalfOf ?? actor.userId;
	if (owner === null) throw planningErrors.error('not_found');
	return owner;
}

/** The entry with whom the actor acted for, when they acted for someone. */
function onBehalf(actor: PlanningActor, entry: AuditEntry): AuditEntry {
	return {
		...entry,
		details: { ...entry.details, ...(actor.onBehalfOf ? { onBehalfOf: actor.onBehalfOf } : {}) }
	};
}

export async function audit(trx: Trx, actor: PlanningActor, entry: AuditEntry): Promise<void> {
	await recordAuditAfterCommit(trx, actor, onBehalf(actor, entry));
}

/** The pending audit row of `entry`, for a statement that records it itself. */
export function auditRow(actor: PlanningActor, entry: AuditEntry) {
	return pendingAuditRow(actor, onBehalf(actor, entry));
}

/** The applicant's own invitation, while it is open or booked; not_found for anyone else's. */
export function requireLiveInvitation<I extends { status: InvitationStatus }>(
	invitation: I | undefined
): I {
	if (!invitation) throw planningErrors.error('not_found');
	if (!repo.isLiveInvitation(invitation.status)) throw planningErrors.error('invitation_closed');
	return invitation;
}

/** The actor's own invitation, locked, that may still be booked; not_found for anyone else's. */
export async function lockOwnOpenInvitation(trx: Trx, invitationId: number, actor: PlanningActor) {
	return requireLiveInvitation(await repo.lockInvitationOfOwner(trx, invitationId, ownerOf(actor)));
}

/** The actor's own appointment, locked; not_found for anyone else's. */
export async function lockOwnAppointment(trx: Trx, appointmentId: number, actor: PlanningActor) {
	const appointment = await repo.lockAppointmentOfOwner(trx, appointmentId, ownerOf(actor));
	if (!appointment) throw planningErrors.error('not_found');
	return appointment;
}

/**
 * The appointment an earlier request with this idempotency key made, for a replay to answer
 * again; undefined for a new key. A key sent before for another invitation or slot is refused.
 */
export async function findReplay(
	trx: Db,
	idempotencyKey: string,
	request: { invitationId: number; slotId: number }
) {
	const replay = await repo.findAppointmentByKey(trx, idempotencyKey);
	if (
		replay &&
		(replay.invitation_id !== request.invitationId || replay.slot_id !== request.slotId)
	)
		throw planningErrors.error('key_reused');
	return replay;
}

const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** `OAP-XXXX-XXXX`: readable over the phone (no 0/O or 1/I), 40 random bits. */
export function newAppointmentReference(): string {
	const part = () =>
		Array.from({ length: 4 }, () => REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)]).join(
			''
		);
	return `OAP-${part()}-${part()}`;
}

/** The first moment after the book-before day, in Amsterdam. */
export function endOfBookBefore(bookBefore: string): Date {
	return startOfDutchDay(addDays(bookBefore, 1));
}

/** Whether `slot` is one the invitation allows: kind, location, not past, by the book-before day. */
export function requireSlotFits(
	invitation: Pick<repo.InvitationRecord, 'kind' | 'locations' | 'book_before'>,
	slot: Pick<repo.SlotRecord, 'kind' | 'location_code' | 'starts_at' | 'closed_at'>,
	now: Date
): void {
	if (slot.kind !== invitation.kind) throw planningErrors.error('wrong_kind');
	if (!invitation.locations.includes(slot.location_code))
		throw planningErrors.error('wrong_location');
	if (slot.starts_at <= now) throw planningErrors.error('slot_past');
	if (slot.starts_at >= endOfBookBefore(invitation.book_before))
		throw planningErrors.error('after_book_before');
	if (slot.closed_at) throw planningErrors.error('slot_closed');
}

export async function findSlotOrThrow(db: Db, slotId: number): Promise<repo.SlotRecord> {
	const slot = await repo.findSlot(db, slotId);
	if (!slot) throw planningErrors.error('slot_not_found');
	return slot;
}

/** Takes a room of the slot, or says why not. */
export async function takeRoomOrThrow(trx: Trx, slot: repo.SlotRecord): Promise<void> {
	if (!(await repo.takeRoom(trx, slot.id))) throw await roomRefusal(trx, slot.id);
}

async function roomRefusal(trx: Trx, slotId: number) {
	const now = await repo.findSlot(trx, slotId);
	return planningErrors.error(now?.closed_at ? 'slot_closed' : 'slot_full');
}

export interface Placement {
	invitation: Pick<
		repo.InvitationRecord,
		| 'id'
		| 'case_id'
		| 'interpreter_language'
		| 'same_gender_requested'
		| 'applicant_gender'
		| 'case_reference'
	>;
	slotId: number;
	idempotencyKey: string;
	actor: PlanningActor;
}

function appointmentRow(placement: Placement) {
	const { invitation, actor } = placement;
	return {
		reference: newAppointmentReference(),
		invitation_id: invitation.id,
		case_id: invitation.case_id,
		slot_id: placement.slotId,
		idempotency_key: placement.idempotencyKey,
		booked_by: actor.userId,
		on_behalf_of: actor.onBehalfOf ?? null
	};
}

/** Inserts the appointment for a room already taken, with an interpreter when needed. */
export async function placeAppointment(trx: Trx, placement: Placement) {
	const appointment = await repo.insertAppointment(trx, appointmentRow(placement));
	return assignInterpreter(trx, placement, appointment);
}

/**
 * A first booking, when most requests of a rush arrive: the room, the appointment, the
 * invitation marked booked and the records, in one statement (`repo.bookRoom`); undefined when
 * the invitation was no longer open or no room was free. The interpreter is the caller's next step.
 */
export async function bookRoomRecorded(
	db: Db,
	placement: Placement,
	records: (reference: string) => Parameters<typeof repo.bookRoom>[2]
) {
	const row = appointmentRow(placement);
	// The interpreter pool is taken in the same statement, one round trip fewer while it is held.
	return repo.bookRoom(db, row, records(row.reference), placement.invitation.interpreter_language);
}

/**
 * Books an interpreter for the appointment when the invitation needs one: the same gender first
 * when asked for, then any. A quarter booked by another transaction meanwhile makes that
 * interpreter fail and the next one is tried.
 */
export async function assignInterpreter<A extends { id: number; interpreter_id: number | null }>(
	trx: Trx,
	placement: Placement,
	appointment: A,
	options: { poolHeld?: boolean } = {}
): Promise<A> {
	const { invitation } = placement;
	const language = invitation.interpreter_language;
	if (language) {
		const gender = invitation.same_gender_requested ? invitation.applicant_gender : null;
		if (!options.poolHeld) await repo.lockInterpreterPool(trx, placement.slotId, language);
		// The best candidate in one statement; the pool is held, so it is almost always booked.
		const best = await repo.assignBestInterpreter(
			trx,
			appointment.id,
			placement.slotId,
			language,
			gender
		);
		if (best.candidate === null) throw planningErrors.error('no_interpreter');
		if (best.assigned) {
			appointment.interpreter_id = best.candidate;
			return appointment;
		}
		await repo.deleteInterpreterQuarters(trx, [appointment.id]);
		const candidates = await repo.findInterpreterCandidates(
			trx,
			placement.slotId,
			language,
			gender
		);
		let chosen: number | null = null;
		for (const candidate of candidates) {
			if (
				await repo.assignInterpreterQuarters(trx, candidate.id, appointment.id, placement.slotId)
			) {
				chosen = candidate.id;
				break;
			}
			await repo.deleteInterpreterQuarters(trx, [appointment.id]);
		}
		if (chosen === null) throw planningErrors.error('no_interpreter');
		appointment.interpreter_id = chosen;
	}
	return appointment;
}

/**
 * Cancels active appointments and frees what they held: the room and the interpreter's quarters.
 * Returns the slot of each, once per freed room, for the waitlist.
 */
export async function releaseAppointments(
	trx: Trx,
	appointments: { id: number; slot_id: number }[],
	at: Date,
	reason: string
): Promise<number[]> {
	if (appointments.length === 0) return [];
	const ids = appointments.map((a) => a.id);
	await repo.cancelAppointmentRows(trx, ids, at, reason);
	await repo.deleteInterpreterQuarters(trx, ids);
	const perSlot = new Map<number, number>();
	for (const a of appointments) perSlot.set(a.slot_id, (perSlot.get(a.slot_id) ?? 0) + 1);
	for (const [slotId, count] of [...perSlot].sort((a, b) => a[0] - b[0]))
		await repo.releaseRooms(trx, slotId, count);
	return appointments.map((a) => a.slot_id);
}

/** The invitations are cancelled, and leave the waitlist. */
export async function cancelInvitations(trx: Trx, invitationIds: number[]): Promise<void> {
	await repo.updateInvitationStatus(trx, invitationIds, 'cancelled');
	await repo.setWaitlistStatusOfInvitations(trx, invitationIds, 'left');
}

/** Tells the case system, through the change feed, that these appointments were cancelled. */
export async function recordCancellations<A extends { id: number; case_reference: string }>(
	trx: Trx,
	appointments: A[],
	data: (appointment: A) => Record<string, unknown>
): Promise<void> {
	await recordChanges(
		trx,
		appointments.map((a) => ({
			kind: 'cancelled' as const,
			appointmentId: a.id,
			caseReference: a.case_reference,
			data: data(a)
		}))
	);
}

/** The Dutch calendar day at `now`, for book-before comparisons. */
export function today(now: Date): string {
	return dutchDate(now);
}

/** A moment as the applicant reads it in an e-mail: in their language, Amsterdam time. */
export function formatHearingTime(moment: Date, lang: string): string {
	return formatDate(lang, moment, { dateStyle: 'full', timeStyle: 'short' });
}

export type ApplicantNotice =
	| { caseId: number; template: 'hearing_rebook'; time: Date }
	| { caseId: number; template: 'waitlist_offer'; time: Date; until: Date; offerId: number };

/**
 * Where links in the planner's e-mail start. The planner sends mail outside any request (a
 * cancellation by someone else, an expiring offer), so it reads ORIGIN, as the server does.
 */
export function mailOrigin(env: NodeJS.ProcessEnv = process.env): string {
	return env.ORIGIN ? new URL(env.ORIGIN).origin : `http://localhost:${env.PORT ?? 5173}`;
}

/** The page on which the applicant accepts a waitlist offer. */
export function offerPath(caseReference: string, offerId: number): string {
	return `/cases/${caseReference}/appointment/offer/${offerId}`;
}

/**
 * Queues a message to each case's applicant, in the transaction whose change it reports: an e-mail,
 * and for a waitlist offer a push to their devices too. A case whose applicant has no e-mail
 * address gets no e-mail; its case page shows the same.
 */
export async function notifyApplicants(trx: Trx, messages: ApplicantNotice[]): Promise<void> {
	await queuePush(
		trx,
		messages
			.filter((m) => m.template === 'waitlist_offer')
			.map((m) => ({ caseId: m.caseId, kind: 'waitlist_offer' as const }))
	);
	const contacts = new Map(
		(
			await repo.findApplicantContacts(
				trx,
				messages.map((m) => m.caseId)
			)
		).map((c) => [c.case_id, c])
	);
	for (const message of messages) {
		const contact = contacts.get(message.caseId);
		if (!contact?.email) continue;
		const base = {
			name: contact.name,
			reference: contact.reference,
			time: formatHearingTime(message.time, contact.language)
		};
		if (message.template === 'hearing_rebook')
			await queueEmail(trx, {
				to: contact.email,
				template: 'hearing_rebook',
				lang: contact.language,
				params: base
			});
		else
			await queueEmail(trx, {
				to: contact.email,
				template: 'waitlist_offer',
				lang: contact.language,
				params: {
					...base,
					until: formatHearingTime(message.until, contact.language),
					link: mailOrigin() + offerPath(contact.reference, message.offerId)
				}
			});
	}
}
