/**
 * The serving order of a queue, counted the plain way: the reference that tests and the position
 * benchmark check the production position engine (queue.repository.ts, from per-day counts) against.
 */
import { sql } from 'kysely';
import type { Db } from '../../../src/lib/server/db';
import type { QueueStream } from '../../../src/lib/server/db/schema';

/** Priority is served before normal; within a stream, first in first out, ties by entry id. */
const streamRank = sql<number>`case queue_entry.stream when 'priority' then 0 else 1 end`;

/** The cases waiting in one queue, in the order the IND serves them. */
export async function findWaitingInOrder(
	db: Db,
	productCode: string,
	stageCode: string,
	limit = 1000
) {
	return db
		.selectFrom('queue_entry')
		.innerJoin('case', 'case.id', 'queue_entry.case_id')
		.select(['queue_entry.id', 'case.reference', 'queue_entry.stream', 'queue_entry.entered_at'])
		.where('queue_entry.product_code', '=', productCode)
		.where('queue_entry.stage_code', '=', stageCode)
		.where('left_at', 'is', null)
		.orderBy(streamRank)
		.orderBy('queue_entry.entered_at')
		.orderBy('queue_entry.id')
		.limit(limit)
		.execute();
}

/** How many cases are served before this open queue entry. */
export async function countAhead(
	db: Db,
	entry: {
		id: number;
		product_code: string;
		stage_code: string;
		stream: QueueStream;
		entered_at: Date;
	}
) {
	const row = await db
		.selectFrom('queue_entry')
		.select((eb) => eb.fn.countAll<number>().as('ahead'))
		.where('product_code', '=', entry.product_code)
		.where('stage_code', '=', entry.stage_code)
		.where('left_at', 'is', null)
		.where((eb) =>
			entry.stream === 'priority'
				? eb.and([
						eb('stream', '=', 'priority'),
						eb(eb.refTuple('entered_at', 'id'), '<', eb.tuple(entry.entered_at, entry.id))
					])
				: eb.or([
						eb('stream', '=', 'priority'),
						eb(eb.refTuple('entered_at', 'id'), '<', eb.tuple(entry.entered_at, entry.id))
					])
		)
		.executeTakeFirstOrThrow();
	return Number(row.ahead);
}
