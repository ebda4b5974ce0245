import type { Db } from '$lib/server/db';
import { deleteEndedWindows } from '$lib/server/ratelimit/rate-limit';
import { deleteExpiredSessions, deleteSpentActivationCodes, deleteSpentPasswordResets } from './housekeeping.repository';

export interface HousekeepingResult {
	sessions: number;
	rateLimits: number;
	passwordResets: number;
	activationCodes: number;
}

/** Deletes what has expired: sessions, rate-limit windows, reset links and activation codes. Safe to run at any time. */
export async function runHousekeeping(db: Db, now = new Date()): Promise<HousekeepingResult> {
	return {
		sessions: await deleteExpiredSessions(db, now),
		rateLimits: await deleteEndedWindows(db, now),
		passwordResets: await deleteSpentPasswordResets(db, now),
		activationCodes: await deleteSpentActivationCodes(db, now)
	};
}
