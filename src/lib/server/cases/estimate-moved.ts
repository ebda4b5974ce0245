import type { QueueStream } from '$lib/server/db/schema';

const DAY_MS = 86_400_000;

/** What the case page showed about the turn at one visit. */
export interface EstimateSeen {
	/** When the page was shown. */
	at: string;
	stage: string;
	stream: QueueStream;
	/** The "most likely" moment as the page showed it; null when it showed no estimate. */
	turnAt: string | null;
	ahead: number;
	/** Of those ahead, cases of the priority stream (only counted for a normal-stream case). */
	priorityAhead: number;
}

/**
 * Why the expected turn moved: the queue moved slower or faster than expected, priority cases
 * went ahead, cases that entered before this one were registered later, or this case now has
 * priority.
 */
export type MoveCause = 'slower' | 'faster' | 'priority' | 'place_back' | 'prioritised';

export interface EstimateMove {
	cause: MoveCause;
	/** The earlier visit. */
	since: string;
	from: string;
	to: string;
	/** `priority`: how many more priority cases wait ahead than at the earlier visit. */
	count: number;
	fromPosition: number;
	toPosition: number;
}

/** A move is clear at a week or more, and at 15 % or more of the wait that remains. */
export const CLEAR_MOVE_DAYS = 7;
export const CLEAR_MOVE_SHARE = 0.15;

/**
 * How the expected turn moved since an earlier visit, and why, when it moved clearly; null when
 * it did not, or when the two visits do not speak of the same turn (another stage).
 */
export function estimateMove(before: EstimateSeen | null, now: EstimateSeen): EstimateMove | null {
	if (!before || before.stage !== now.stage || !before.turnAt || !now.turnAt) return null;
	const turnNow = Date.parse(now.turnAt);
	const movedDays = (turnNow - Date.parse(before.turnAt)) / DAY_MS;
	const remainingDays = Math.max(0, (turnNow - Date.parse(now.at)) / DAY_MS);
	if (
		Math.abs(movedDays) < CLEAR_MOVE_DAYS ||
		Math.abs(movedDays) < CLEAR_MOVE_SHARE * remainingDays
	)
		return null;
	const move = {
		since: before.at,
		from: before.turnAt,
		to: now.turnAt,
		count: 0,
		fromPosition: before.ahead + 1,
		toPosition: now.ahead + 1
	};
	if (movedDays < 0)
		return {
			...move,
			cause: before.stream === 'normal' && now.stream === 'priority' ? 'prioritised' : 'faster'
		};
	if (now.ahead <= before.ahead) return { ...move, cause: 'slower' };
	// More cases wait ahead than at the earlier visit: priority cases that went ahead, or cases of
	// this case's own stream that entered the queue earlier and were registered later.
	const priorityGrowth = now.stream === 'normal' ? now.priorityAhead - before.priorityAhead : 0;
	const ownGrowth = now.ahead - now.priorityAhead - (before.ahead - before.priorityAhead);
	if (priorityGrowth > 0 && priorityGrowth >= ownGrowth)
		return { ...move, cause: 'priority', count: priorityGrowth };
	if (ownGrowth > 0) return { ...move, cause: 'place_back' };
	return { ...move, cause: 'slower' };
}
