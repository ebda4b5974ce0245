/**
 * The change feed the case system reads (`GET /api/v1/changes`): every change the portal makes
 * to a case that the case system must learn, in commit order, behind a cursor. Batch ingestion
 * owns case state; this is the way back.
 */
import type { Db } from '$lib/server/db';
import type { CaseChangeKind } from '$lib/server/db/schema';
import {
	findCaseChangesAfter,
	insertPendingCaseChanges,
	moveCaseChangeRows,
	type Trx
} from './change.repository';

/**
 * Records changes in the caller's transaction. They wait in `case_change_pending` and join the
 * feed, in order, the next time it is read (`moveCaseChanges`).
 */
export async function recordChanges(
	trx: Trx,
	changes: {
		kind: CaseChangeKind;
		appointmentId: number | null;
		caseReference: string;
		data?: Record<string, unknown>;
	}[]
): Promise<void> {
	await insertPendingCaseChanges(
		trx,
		changes.map((c) => ({
			kind: c.kind,
			appointment_id: c.appointmentId,
			case_reference: c.caseReference,
			data: c.data ?? {}
		}))
	);
}

export interface CaseChange {
	cursor: number;
	at: Date;
	kind: CaseChangeKind;
	appointmentId: number | null;
	case: string;
	data: unknown;
}

/** Moves every committed pending change into the feed, in batches; returns how many. */
export async function moveCaseChanges(db: Db, batchSize = 1000): Promise<number> {
	let moved = 0;
	for (;;) {
		const count = await db.transaction().execute((trx) => moveCaseChangeRows(trx, batchSize));
		moved += count;
		if (count < batchSize) return moved;
	}
}

/**
 * The change feed after `cursor`, oldest first, with every change committed before the call.
 * Movers commit in id order (see `moveCaseChangeRows`), so the last cursor returned is safe to
 * continue from.
 */
export async function listCaseChanges(db: Db, after: number, limit = 500): Promise<CaseChange[]> {
	await moveCaseChanges(db);
	const rows = await findCaseChangesAfter(db, after, limit);
	return rows.map((r) => ({
		cursor: r.id,
		at: r.at,
		kind: r.kind,
		appointmentId: r.appointment_id,
		case: r.case_reference,
		data: r.data
	}));
}
