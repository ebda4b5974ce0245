/**
 * The waitlist: a freed place goes to the people waiting in the order they joined (rebooking
 * invitations first), not to the fastest poller. An offer holds the room (it counts in
 * `slot.taken`) for a set time; when it expires the room passes to the next in line.
 */
import type { Db } from '$lib/server/db';
import * as repo from './planning.repository';
import { planningErrors } from './planning.errors';
import {
	audit,
	findReplay,
	inTransaction,
	notifyApplicants,
	ownerOf,
	placeAppointment,
	planningConfig,
	releaseAppointments,
	type PlanningConfig,
	type PlanningRequest,
	type Trx,
	lockOwnOpenInvitation
} from './planning.service';
import { recordChanges } from '$lib/server/changes/change.service';
import { remindersChanged } from './reminders';

export interface JoinWaitlistInput extends PlanningRequest {
	invitationId: number;
}

/** Puts the invitation on the waitlist; joining again keeps the first place in line. */
export async function joinWaitlist(db: Db, input: JoinWaitlistInput) {
	const now = input.now ?? new Date();
	return inTransaction(db, async (trx) => {
		const invitation = await lockOwnOpenInvitation(trx, input.invitationId, input.actor);
		const entry = await repo.insertWaitlistEntry(trx, invitation.id, now);
		await audit(trx, input.actor, {
			action: 'planning.waitlist_joined',
			caseId: invitation.case_id,
			details: { invitationId: invitation.id }
		});
		return { entryId: entry.id, joinedAt: entry.joined_at };
	});
}

/**
 * Offers a freed room of the slot to the first person in line who can use it, and holds the
 * room for them. Only a scarce place is offered: when the slot has more free rooms than the
 * `freed` ones, anyone may book them and the waitlist has no claim. Returns the offer, or null
 * when no offer was made (the room stays free).
 */
export async function offerFreedPlace(
	trx: Trx,
	slotId: number,
	now: Date,
	config: PlanningConfig = planningConfig(),
	freed = 1
) {
	const [slot] = await repo.lockSlots(trx, [slotId]);
	if (!slot || slot.closed_at || slot.starts_at <= now) return null;
	const free = slot.rooms - slot.taken;
	if (free <= 0 || free > freed) return null;
	const next = await repo.lockNextWaitlistEntry(trx, slotId);
	if (!next) return null;
	if (!(await repo.takeRoom(trx, slotId))) return null;
	const expiresAt = new Date(now.getTime() + config.offerHoldMs);
	const offer = await repo.insertOffer(trx, {
		entry_id: next.entry_id,
		slot_id: slotId,
		offered_at: now,
		expires_at: expiresAt
	});
	await notifyApplicants(trx, [
		{
			caseId: next.case_id,
			template: 'waitlist_offer',
			time: slot.starts_at,
			until: expiresAt,
			offerId: offer.id
		}
	]);
	return offer;
}

/** Offers the freed places: `slotIds` names a slot once per room freed in it. */
export async function offerFreedPlaces(
	trx: Trx,
	slotIds: number[],
	now: Date,
	config: PlanningConfig = planningConfig()
): Promise<void> {
	const freed = new Map<number, number>();
	for (const id of slotIds) freed.set(id, (freed.get(id) ?? 0) + 1);
	for (const [slotId, count] of [...freed].sort((a, b) => a[0] - b[0]))
		for (let left = count; left > 0; left -= 1)
			if (!(await offerFreedPlace(trx, slotId, now, config, left))) break;
}

/** Frees the rooms held by offers and marks them `status`. Returns the slots freed. */
export async function dropOffers(
	trx: Trx,
	offers: { id: number; slot_id: number }[],
	status: 'expired' | 'declined'
): Promise<number[]> {
	await repo.setOfferStatus(
		trx,
		offers.map((o) => o.id),
		status
	);
	for (const offer of offers) await repo.releaseRooms(trx, offer.slot_id, 1);
	return offers.map((o) => o.slot_id);
}

/** Ends the offers whose hold has passed and passes each place to the next in line. */
export async function expireOffers(db: Db, now = new Date(), config = planningConfig()) {
	return inTransaction(db, async (trx) => {
		const due = await repo.lockHeldOffersDue(trx, now);
		const slots = await dropOffers(trx, due, 'expired');
		await offerFreedPlaces(trx, slots, now, config);
		return due.length;
	});
}

export interface AcceptOfferInput extends PlanningRequest {
	offerId: number;
	idempotencyKey: string;
}

/**
 * Books the held place. An appointment the invitation already has is moved to it, in the same
 * transaction, and its old place goes to the next in line.
 */
export async function acceptOffer(db: Db, input: AcceptOfferInput) {
	const now = input.now ?? new Date();
	let replaced: string | undefined;
	const result = await inTransaction(db, async (trx) => {
		const offer = await repo.lockOfferOfOwner(trx, input.offerId, ownerOf(input.actor));
		if (!offer) throw planningErrors.error('not_found');
		const replay = await findReplay(trx, input.idempotencyKey, {
			invitationId: offer.invitation_id,
			slotId: offer.slot_id
		});
		if (replay) return { appointment: replay, replayed: true };
		if (offer.status !== 'held' || offer.expires_at <= now)
			throw planningErrors.error('offer_gone');
		const invitation = await repo.lockInvitation(trx, offer.invitation_id);
		if (!invitation || !repo.isLiveInvitation(invitation.status))
			throw planningErrors.error('offer_gone');

		const previous = await repo.lockActiveAppointmentOfInvitation(trx, invitation.id);
		replaced = previous?.reference;
		const freed = previous ? await releaseAppointments(trx, [previous], now, 'moved') : [];
		// The room was taken when the offer was made: no second take.
		const appointment = await placeAppointment(trx, {
			invitation,
			slotId: offer.slot_id,
			idempotencyKey: input.idempotencyKey,
			actor: input.actor
		});
		if (previous) await repo.setAppointmentReplacedBy(trx, previous.id, appointment.id);
		await repo.setOfferStatus(trx, [offer.id], 'accepted');
		await repo.setWaitlistStatusOfInvitations(trx, [invitation.id], 'served');
		await repo.updateInvitationStatus(trx, [invitation.id], 'booked');
		await offerFreedPlaces(trx, freed, now, input.config);
		await audit(trx, input.actor, {
			action: 'planning.offer_accepted',
			caseId: invitation.case_id,
			subject: appointment.reference,
			details: { offerId: offer.id, slotId: offer.slot_id, replaces: previous?.id ?? null }
		});
		await recordChanges(trx, [
			{
				kind: previous ? 'moved' : 'booked',
				appointmentId: appointment.id,
				caseReference: invitation.case_reference,
				data: { slotId: offer.slot_id, replaces: previous?.reference ?? null }
			}
		]);
		return { appointment, replayed: false };
	});
	await remindersChanged([replaced, result.appointment.reference].filter((r) => r !== undefined));
	return result;
}
