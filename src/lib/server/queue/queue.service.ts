import type { Db } from '$lib/server/db';
import type { QueueStream } from '$lib/server/db/schema';
import {
	findOpenEntryByReference,
	findPositionOfEntry,
	updateCaseStream
} from './queue.repository';

export interface QueuePosition {
	/** 1 for the case served next. */
	position: number;
	ahead: number;
	/** Everyone waiting in this queue, both streams. */
	waiting: number;
	stream: QueueStream;
	stageCode: string;
	enteredAt: Date;
}

export async function findQueuePosition(db: Db, reference: string): Promise<QueuePosition | null> {
	const entry = await findOpenEntryByReference(db, reference);
	if (!entry) return null;
	const counted = await findPositionOfEntry(db, entry.id);
	if (!counted) return null;
	return {
		position: counted.ahead + 1,
		ahead: counted.ahead,
		waiting: counted.waiting,
		stream: entry.stream,
		stageCode: entry.stage_code,
		enteredAt: entry.entered_at
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
		const found = await trx
			.selectFrom('case')
			.select('id')
			.where('reference', '=', reference)
			.forUpdate()
			.executeTakeFirst();
		if (!found) return false;
		await updateCaseStream(trx, found.id, stream);
		return true;
	});
}
