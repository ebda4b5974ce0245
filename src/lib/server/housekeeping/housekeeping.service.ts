import type { Db } from '$lib/server/db';
import { deleteEndedWindows } from '$lib/server/ratelimit/rate-limit';
import { purgeLetterRequests } from '$lib/server/auth/activation-letter.service';
import { expireInvitations } from '$lib/server/planning/invitation.service';
import { expireOffers } from '$lib/server/planning/waitlist.service';
import {
	deleteExpiredSessions,
	deleteSpentActivationCodes,
	deleteSpentPasswordResets
} from './housekeeping.repository';

export interface HousekeepingResult {
	sessions: number;
	rateLimits: number;
	passwordResets: number;
	activationCodes: number;
}

/** Deletes what has expired: sessions, rate-limit windows, reset links, activation codes and sealed letters. Safe to run at any time. */
export async function runHousekeeping(db: Db, now = new Date()): Promise<HousekeepingResult> {
	// Sealed letters past their 24-hour replay window, and requests whose code has expired.
	await purgeLetterRequests(db, now);
	return {
		sessions: await deleteExpiredSessions(db, now),
		rateLimits: await deleteEndedWindows(db, now),
		passwordResets: await deleteSpentPasswordResets(db, now),
		activationCodes: await deleteSpentActivationCodes(db, now)
	};
}

export interface PlanningHousekeepingResult {
	/** Open invitations past their book-before day, now expired (planners see them). */
	invitations: number;
	/** Waitlist offers whose hold ended; each place went to the next in line. */
	offers: number;
}

/** The hearing planner's periodic work: expire invitations and held offers. Safe to run at any time. */
export async function runPlanningHousekeeping(
	db: Db,
	now = new Date()
): Promise<PlanningHousekeepingResult> {
	return {
		invitations: await expireInvitations(db, now),
		offers: await expireOffers(db, now)
	};
}
