import type { Db } from '$lib/server/db';
import type { CaseStatus, Outcome, QueueStream, StageKind } from '$lib/server/db/schema';
import type { Principal } from '$lib/server/auth/principal';
import { dutchDate } from '$lib/time';
import { findCaseForStaff, type StaffLookup } from './case.service';
import type { CaseRecord } from './case.repository';

/** What the read-only case summary shows; plain values, safe to send to the page. */
export interface CaseSummaryData {
	reference: string;
	product: string;
	stage: string;
	/** What kind of step the current stage is, for the "what happens next" line; null if unknown. */
	stageKind: StageKind | null;
	status: CaseStatus;
	outcome: Outcome | null;
	stream: QueueStream;
	submittedAt: string;
	/** `YYYY-MM-DD` */
	deadline: string;
	originalDeadline: string;
	deadlineReason: string | null;
	/** Open and past its legal deadline (in Dutch calendar days). */
	deadlinePassed: boolean;
	applicant: { name: string; vNumber: string | null; birthDate: string | null };
}

function isPassed(status: CaseStatus, deadline: string, now: Date): boolean {
	return status === 'open' && dutchDate(now) > deadline;
}

/**
 * The summary of a case. `identity` adds the V-number and date of birth, which counter and
 * back-office staff check against a passport; a sponsor sees only the name.
 */
export function summariseCase(
	found: CaseRecord,
	identity: boolean,
	now = new Date()
): CaseSummaryData {
	return {
		reference: found.reference,
		product: found.product_code,
		stage: found.stage_code,
		stageKind: found.stage_kind,
		status: found.status,
		outcome: found.outcome,
		stream: found.stream,
		submittedAt: new Date(found.submitted_at).toISOString(),
		deadline: found.deadline,
		originalDeadline: found.original_deadline,
		deadlineReason: found.deadline_reason,
		deadlinePassed: isPassed(found.status, found.deadline, now),
		applicant: {
			name: found.applicant_name,
			vNumber: identity ? found.v_number : null,
			birthDate: identity ? found.birth_date : null
		}
	};
}

/** An audited look-up by counter or back-office staff; refusals are `caseErrors` with their field. */
export async function lookupCaseForStaff(
	db: Db,
	user: Principal,
	lookup: StaffLookup,
	ip: string | null
): Promise<CaseSummaryData> {
	return summariseCase(await findCaseForStaff(db, user, lookup, ip), true);
}
