/**
 * Invitations come from the case system (`hearing.invited`) and end with the case: the event
 * service calls these in its batch's transaction, set-based.
 */
import type { Db } from '$lib/server/db';
import * as repo from './planning.repository';
import {
	cancelInvitations,
	recordCancellations,
	releaseAppointments,
	today,
	type PlanningConfig,
	type Trx
} from './planning.service';
import { dropOffers, offerFreedPlaces } from './waitlist.service';

/** The location codes among `codes` that exist. */
export async function knownLocationCodes(db: Db, codes: string[]): Promise<Set<string>> {
	const rows = await repo.findLocationsByCodes(db, [...new Set(codes)]);
	return new Set(rows.map((r) => r.code));
}

export interface NewInvitation {
	caseId: number;
	kind: string;
	bookBefore: string;
	locations: string[];
	interpreterLanguage: string | null;
	interpreterInPerson: boolean;
	sourceEventId: string;
	/** The position of the case's stage when it was invited. */
	stagePosition: number | null;
}

export async function openInvitations(trx: Trx, invitations: NewInvitation[]): Promise<void> {
	await repo.insertInvitations(
		trx,
		invitations.map((i) => ({
			case_id: i.caseId,
			kind: i.kind,
			book_before: i.bookBefore,
			locations: i.locations,
			interpreter_language: i.interpreterLanguage,
			interpreter_in_person: i.interpreterInPerson,
			source_event_id: i.sourceEventId,
			stage_position: i.stagePosition
		}))
	);
}

/**
 * The cases were withdrawn or decided: their open invitations are cancelled, their waitlist
 * entries and held offers end, and an active appointment is cancelled with its place freed and
 * offered to the waitlist.
 */
export async function releaseCases(
	trx: Trx,
	caseIds: number[],
	reason: string,
	now: Date,
	config?: PlanningConfig
): Promise<void> {
	if (caseIds.length === 0) return;
	await release(trx, await repo.lockOpenPlanningOfCases(trx, caseIds), reason, now, config);
}

/**
 * The cases entered a later stage than the one they were invited in: the hearing is no longer
 * needed, so those invitations end as in `releaseCases`. An appointment whose time has passed
 * stays, for the planner to mark attended or not.
 */
export async function releasePassedStages(
	trx: Trx,
	moves: { caseId: number; position: number }[],
	now: Date,
	config?: PlanningConfig
): Promise<void> {
	if (moves.length === 0) return;
	const planning = await repo.lockPlanningBehindStage(trx, moves, now);
	await release(trx, planning, 'stage_passed', now, config);
}

async function release(
	trx: Trx,
	{ invitations, appointments }: Awaited<ReturnType<typeof repo.lockOpenPlanningOfCases>>,
	reason: string,
	now: Date,
	config?: PlanningConfig
): Promise<void> {
	const invitationIds = invitations.map((i) => i.id);
	const offers = await repo.lockHeldOffersOfInvitations(trx, invitationIds);
	const offered = await dropOffers(trx, offers, 'expired');
	const freed = await releaseAppointments(trx, appointments, now, reason);
	await cancelInvitations(trx, invitationIds);
	await offerFreedPlaces(trx, [...offered, ...freed], now, config);
	await recordCancellations(trx, appointments, () => ({ reason }));
}

/** Open invitations past their book-before day become expired, for planners to see. */
export async function expireInvitations(db: Db, now = new Date()): Promise<number> {
	return (await repo.expireOpenInvitations(db, today(now))).length;
}
