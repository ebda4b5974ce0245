import type { Db } from '$lib/server/db';
import type { StaffRole } from '$lib/server/db/schema';
import { hashPassword } from '$lib/server/auth/password';
import { requiresSecondFactor } from '$lib/server/auth/session';
import { demoTotpSecret } from './totp';
import { findUserByEmail, insertUser } from '$lib/server/auth/user.repository';
import { insertTotpIfAbsent } from '$lib/server/auth/totp.repository';
import { findOrganisationByKvk, insertRoles } from '$lib/server/admin/admin.repository';
import { findApplicantId, insertOrganisationsIfAbsent } from './accounts.repository';
import { DEMO_ASYLUM_CASE, DEMO_SPONSORED_CASE, DEMO_TECH_KVK, SPONSORS } from './simulator';

export const DEMO_PASSWORD = 'demo-password';

interface DemoAccount {
	email: string;
	name: string;
	kind: 'applicant' | 'referent' | 'staff';
	vNumber?: string;
	roles?: { role: StaffRole; kvk?: string; desk?: string }[];
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
	{
		email: 'applicant@demo.test',
		name: DEMO_ASYLUM_CASE.name,
		kind: 'applicant',
		vNumber: DEMO_ASYLUM_CASE.vNumber
	},
	{
		email: 'applicant2@demo.test',
		name: DEMO_SPONSORED_CASE.name,
		kind: 'applicant',
		vNumber: DEMO_SPONSORED_CASE.vNumber
	},
	{
		email: 'referent@demo.test',
		name: 'Referent Demo Tech',
		kind: 'referent',
		roles: [{ role: 'referent_admin', kvk: DEMO_TECH_KVK }]
	},
	{
		email: 'counter@demo.test',
		name: 'Counter Den Haag',
		kind: 'staff',
		roles: [{ role: 'counter', desk: 'Den Haag' }]
	},
	{ email: 'triage@demo.test', name: 'Triage Officer', kind: 'staff', roles: [{ role: 'triage' }] },
	// A second officer: an acceptance takes effect only when another officer confirms it (four eyes).
	{
		email: 'triage2@demo.test',
		name: 'Second Triage Officer',
		kind: 'staff',
		roles: [{ role: 'triage' }]
	},
	{ email: 'planner@demo.test', name: 'Planner', kind: 'staff', roles: [{ role: 'planner' }] },
	{ email: 'admin@demo.test', name: 'Administrator', kind: 'staff', roles: [{ role: 'admin' }] }
];

/**
 * The sponsor organisations of the simulated history and the demo accounts of README, all with
 * the password `demo-password`. Accounts whose role needs a second factor get the fixed TOTP
 * secret of README (demoTotpSecret), so a newcomer can add it to an authenticator app. Only ever
 * run in demo mode. Safe to run twice.
 */
export async function seedDemoAccounts(
	db: Db,
	accounts: DemoAccount[] = DEMO_ACCOUNTS
): Promise<number> {
	const passwordHash = await hashPassword(DEMO_PASSWORD);
	await insertOrganisationsIfAbsent(db, SPONSORS);
	let created = 0;
	for (const account of accounts) {
		await db.transaction().execute(async (trx) => {
			if (await findUserByEmail(trx, account.email)) return;
			const applicantId = account.vNumber ? await findApplicantId(trx, account.vNumber) : null;
			if (account.vNumber && applicantId === null) return;
			const userId = await insertUser(trx, {
				email: account.email,
				displayName: account.name,
				passwordHash,
				kind: account.kind,
				applicantId
			});
			const grants = [];
			for (const { role, kvk, desk } of account.roles ?? []) {
				const organisation = kvk ? await findOrganisationByKvk(trx, kvk) : undefined;
				grants.push({ role, desk, organisationId: organisation?.id });
			}
			await insertRoles(trx, userId, grants);
			if (requiresSecondFactor(account.roles ?? []))
				await insertTotpIfAbsent(trx, userId, demoTotpSecret(account.email), 0);
			created += 1;
		});
	}
	return created;
}
