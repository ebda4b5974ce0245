import type { Db } from '$lib/server/db';
import { recordAudit } from '$lib/server/audit/audit.service';
import { actorOf, hasRole, type Principal } from '$lib/server/auth/principal';
import type { StaffRole } from '$lib/server/db/schema';
import {
	findCaseByReference,
	findCasesOfApplicant,
	findSponsoredCases,
	type CaseRecord
} from './case.repository';

export type CaseAccessError = 'NotFound' | 'ReasonRequired';

export class CaseAccessDenied extends Error {
	constructor(readonly code: CaseAccessError) {
		super(code);
	}
}

export async function listOwnCases(db: Db, user: Principal) {
	if (user.kind !== 'applicant' || user.applicantId === null) return [];
	return findCasesOfApplicant(db, user.applicantId);
}

function organisationKvks(user: Principal): string[] {
	return user.roles
		.filter((r) => r.role === 'referent_admin' || r.role === 'referent_member')
		.map((r) => r.organisationKvk!)
		.filter(Boolean);
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
	if (!found || !found.sponsor_kvk || !kvks.includes(found.sponsor_kvk))
		throw new CaseAccessDenied('NotFound');
	const role: StaffRole = user.roles.find((r) => r.organisationKvk === found.sponsor_kvk)!.role;
	await recordAudit(db, actorOf(user, role, ip), {
		action: 'case.read',
		caseId: found.id,
		subject: `case:${reference}`
	});
	return found;
}

export async function listSponsoredCases(
	db: Db,
	user: Principal,
	options: {
		search?: string;
		status?: 'open' | 'decided' | 'withdrawn';
		page: number;
		pageSize: number;
	}
) {
	return findSponsoredCases(db, {
		kvks: organisationKvks(user),
		search: options.search,
		status: options.status,
		limit: options.pageSize,
		offset: (options.page - 1) * options.pageSize
	});
}

/** A case read by counter staff or an officer, who must say why; audited with that reason. */
export async function findCaseForStaff(
	db: Db,
	user: Principal,
	role: StaffRole,
	reference: string,
	reason: string,
	ip: string | null
): Promise<CaseRecord> {
	if (!hasRole(user, role)) throw new CaseAccessDenied('NotFound');
	if (reason.trim().length < 3) throw new CaseAccessDenied('ReasonRequired');
	const found = await findCaseByReference(db, reference);
	if (!found) throw new CaseAccessDenied('NotFound');
	await recordAudit(db, actorOf(user, role, ip), {
		action: 'case.read',
		caseId: found.id,
		subject: `case:${reference}`,
		reason: reason.trim().slice(0, 500)
	});
	return found;
}
