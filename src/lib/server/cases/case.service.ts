import type { Db } from '$lib/server/db';
import { recordAudit } from '$lib/server/audit/audit.service';
import { actorOf, hasRole, organisationKvks, type Principal } from '$lib/server/auth/principal';
import type { StaffRole } from '$lib/server/db/schema';
import { caseErrors } from './case.errors';
import {
	findCaseByReference,
	findCasesOfApplicant,
	NEVER_SPONSORED,
	type CaseRecord
} from './case.repository';

/** The applicant's own cases, newest first, as their list shows them. */
export async function listOwnCases(db: Db, user: Principal) {
	if (user.kind !== 'applicant' || user.applicantId === null) return [];
	const cases = await findCasesOfApplicant(db, user.applicantId);
	return cases.map((c) => ({
		reference: c.reference,
		product: c.product_code,
		stage: c.stage_code,
		status: c.status,
		outcome: c.outcome,
		submittedAt: c.submitted_at.toISOString(),
		deadline: c.deadline
	}));
}

/** A case the referent's organisation sponsors; the read is audited and visible to the applicant. */
export async function findSponsoredCase(
	db: Db,
	user: Principal,
	reference: string,
	ip: string | null
): Promise<CaseRecord> {
	const kvks = organisationKvks(user);
	const found = await findCaseByReference(db, reference);
	if (
		!found ||
		!found.sponsor_kvk ||
		!kvks.includes(found.sponsor_kvk) ||
		NEVER_SPONSORED.includes(found.product_code)
	)
		throw caseErrors.error('not_sponsored');
	const role: StaffRole = user.roles.find((r) => r.organisationKvk === found.sponsor_kvk)!.role;
	await recordAudit(db, actorOf(user, role, ip), {
		action: 'case.read',
		caseId: found.id,
		subject: `case:${reference}`
	});
	return found;
}

/** What a member of staff asks for: which case, in which of their roles, and why. */
export interface StaffLookup {
	role: StaffRole;
	reference: string;
	reason: string;
}

/** A case read by counter staff or an officer, who must say why; audited with that reason. */
export async function findCaseForStaff(
	db: Db,
	user: Principal,
	lookup: StaffLookup,
	ip: string | null
): Promise<CaseRecord> {
	// The audit log records the role the person acts in, so it must be one they hold.
	if (!hasRole(user, lookup.role)) throw caseErrors.error('role_not_held');
	if (lookup.reason.trim().length < 3) throw caseErrors.error('reason_required');
	const found = await findCaseByReference(db, lookup.reference);
	if (!found) throw caseErrors.error('unknown_reference');
	await recordAudit(db, actorOf(user, lookup.role, ip), {
		action: 'case.read',
		caseId: found.id,
		subject: `case:${lookup.reference}`,
		reason: lookup.reason.trim().slice(0, 500)
	});
	return found;
}
