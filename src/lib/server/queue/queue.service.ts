import type { Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { QueueStream } from '$lib/server/db/schema';
import { findPositionOfReference, lockCaseByReference, updateCaseStream } from './queue.repository';

export interface QueuePosition {
	/** 1 for the case served next. */
	position: number;
	ahead: number;
	/** Of those ahead, cases of the priority stream (for a normal-stream case). */
	priorityAhead: number;
	/** Everyone waiting in this queue, both streams. */
	waiting: number;
	stream: QueueStream;
	stageCode: string;
	enteredAt: Date;
}

/** Where a case waits, or null when it is in no queue. */
export async function findQueuePosition(db: Db, reference: string): Promise<QueuePosition | null> {
	return queuePositionOf(await findPositionOfReference(db, reference));
}

/** The position as pages show it, from what the queue's statement counted. */
export function queuePositionOf(
	counted: Awaited<ReturnType<typeof findPositionOfReference>>
): QueuePosition | null {
	if (!counted) return null;
	return {
		position: counted.ahead + 1,
		ahead: counted.ahead,
		priorityAhead: counted.priority_ahead,
		waiting: counted.waiting,
		stream: counted.stream,
		stageCode: counted.stage_code,
		enteredAt: counted.entered_at
	};
}

/**
 * Moves a case to another stream (an accepted schrijnend request moves it to priority). It keeps
 * its entry time, so among priority cases it is still served first in, first out.
 */
export async function moveToStream(
	db: Db,
	reference: string,
	stream: QueueStream
): Promise<boolean> {
	return db.transaction().execute(async (trx) => {
		const found = await lockCaseByReference(trx, reference);
		if (!found) return false;
		await updateCaseStream(trx, found.id, stream);
		return true;
	});
}

/**
 * Moves a case to another stream inside the caller's transaction (a triage decision takes effect
 * with it): its current queue entry, and the later queue stages it enters, which take the case's
 * stream.
 */
export async function moveCaseToStream(
	trx: Transaction<Database>,
	caseId: number,
	stream: QueueStream
): Promise<void> {
	await updateCaseStream(trx, caseId, stream);
}
