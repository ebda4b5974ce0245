/**
 * The change feed the case system reads (`GET /api/v1/changes`): every change the portal makes
 * to a case that the case system must learn, in commit order, behind a cursor. Batch ingestion
 * owns case state; this is the way back.
 */
import type { Db } from '$lib/server/db';
import type { CaseChangeKind } from '$lib/server/db/schema';
import { findCaseChangesAfter, insertCaseChanges, type Trx } from './change.repository';

export async function recordChanges(
	trx: Trx,
	changes: {
		kind: CaseChangeKind;
		appointmentId: number | null;
		caseReference: string;
		data?: Record<string, unknown>;
	}[]
): Promise<void> {
	await insertCaseChanges(
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

/**
 * The change feed after `cursor`, in commit order. A change's place is drawn as its transaction
 * commits (see `insertCaseChanges`), so the last cursor returned is safe to continue from.
 */
export async function listCaseChanges(db: Db, after: number, limit = 500): Promise<CaseChange[]> {
	const rows = await findCaseChangesAfter(db, after, limit);
	return rows.map((r) => ({
		cursor: r.seq!,
		at: r.at,
		kind: r.kind,
		appointmentId: r.appointment_id,
		case: r.case_reference,
		data: r.data
	}));
}
