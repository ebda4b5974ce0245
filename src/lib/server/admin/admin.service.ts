import type { Db } from '$lib/server/db';
import type { StaffRole } from '$lib/server/db/schema';
import { STAFF_ROLES } from '$lib/roles';
import { recordAudit, type Actor } from '$lib/server/audit/audit.service';
import { checkPasswordStrength, hashPassword } from '$lib/server/auth/password';
import { listApiKeys, revokeApiKey } from '$lib/server/api-keys/api-key.service';
import { endAllSignIns } from '$lib/server/auth/session';
import { removeTotp } from '$lib/server/auth/totp';
import { adminErrors } from './admin.errors';
import * as repo from './admin.repository';

/** Only staff roles, each once; the counter role with its desk. */
function staffGrants(roles: StaffRole[], desk: string | null): repo.RoleGrant[] {
	const wanted = roles.filter((r) => (STAFF_ROLES as readonly string[]).includes(r));
	if (wanted.includes('counter') && !desk?.trim()) throw adminErrors.error('desk_required');
	return wanted.map((role) => ({ role, desk: role === 'counter' ? desk!.trim() : null }));
}

/** A new account's password hash, once its email is free and its password strong enough. */
async function checkNewAccount(
	db: Db,
	email: string,
	password: string,
	emailField = 'email'
): Promise<string> {
	if (await repo.findUserIdByEmail(db, email))
		throw adminErrors.error('email_taken', { field: emailField });
	const problem = checkPasswordStrength(password);
	if (problem) throw adminErrors.error(problem);
	return hashPassword(password);
}

export interface NewStaff {
	email: string;
	displayName: string;
	password: string;
	roles: StaffRole[];
	desk: string | null;
}

export async function createStaffAccount(db: Db, actor: Actor, input: NewStaff): Promise<number> {
	const grants = staffGrants(input.roles, input.desk);
	const passwordHash = await checkNewAccount(db, input.email, input.password);
	return db.transaction().execute(async (trx) => {
		const userId = await repo.insertAccount(trx, { ...input, passwordHash, kind: 'staff' });
		await repo.insertRoles(trx, userId, grants);
		await recordAudit(trx, actor, {
			action: 'admin.staff_created',
			subject: `user:${userId}`,
			details: { roles: grants.map((g) => g.role) }
		});
		return userId;
	});
}

/** Replaces a staff member's roles; every change is audited with the before and after. */
export async function setStaffRoles(
	db: Db,
	actor: Actor,
	userId: number,
	roles: StaffRole[],
	desk: string | null
): Promise<void> {
	const grants = staffGrants(roles, desk);
	await db.transaction().execute(async (trx) => {
		await repo.lockRoleChanges(trx);
		const user = await repo.lockAccount(trx, userId);
		if (!user || user.kind !== 'staff') throw adminErrors.error('not_found');
		const before = await repo.replaceRoles(trx, userId, grants);
		if ((await repo.countAdmins(trx, false)) === 0) throw adminErrors.error('last_admin');
		await recordAudit(trx, actor, {
			action: 'admin.roles_changed',
			subject: `user:${userId}`,
			details: { before, after: grants.map((g) => g.role), desk }
		});
	});
}

export interface NewOrganisation {
	kvk: string;
	name: string;
	adminEmail: string;
	adminName: string;
	adminPassword: string;
}

/** An erkend referent organisation with its first administrator. */
export async function createOrganisation(
	db: Db,
	actor: Actor,
	input: NewOrganisation
): Promise<number> {
	if (await repo.findOrganisationByKvk(db, input.kvk)) throw adminErrors.error('kvk_taken');
	const passwordHash = await checkNewAccount(
		db,
		input.adminEmail,
		input.adminPassword,
		'adminEmail'
	);
	return db.transaction().execute(async (trx) => {
		const organisationId = await repo.insertOrganisation(trx, input);
		const userId = await repo.insertAccount(trx, {
			email: input.adminEmail,
			displayName: input.adminName,
			passwordHash,
			kind: 'referent'
		});
		await repo.insertRoles(trx, userId, [{ role: 'referent_admin', organisationId }]);
		await recordAudit(trx, actor, {
			action: 'admin.organisation_created',
			subject: `organisation:${input.kvk}`,
			details: { adminUserId: userId }
		});
		return organisationId;
	});
}

/**
 * Disables (or enables again) an account. Its sessions and pending sign-ins end in the same
 * transaction, with the audit row. Sessions are read from the database on every request, so the
 * next request of the person, on any app server, is signed out.
 */
export async function setAccountDisabled(
	db: Db,
	actor: Actor,
	userId: number,
	disabled: boolean,
	now = new Date()
): Promise<{ endedSessions: number }> {
	if (actor.userId === userId) throw adminErrors.error('own_account');
	return db.transaction().execute(async (trx) => {
		// With the role changes: one at a time, so that the last active administrator remains.
		await repo.lockRoleChanges(trx);
		const user = await repo.lockAccount(trx, userId);
		if (!user || user.kind === 'applicant') throw adminErrors.error('not_found');
		await repo.setDisabledAt(trx, userId, disabled ? (user.disabled_at ?? now) : null);
		let endedSessions = 0;
		if (disabled) {
			endedSessions = await endAllSignIns(trx, userId);
			if ((await repo.countAdmins(trx, true)) === 0)
				throw adminErrors.error('last_admin', { field: 'status' });
		}
		await recordAudit(trx, actor, {
			action: disabled ? 'admin.account_disabled' : 'admin.account_enabled',
			subject: `user:${userId}`,
			details: { endedSessions }
		});
		return { endedSessions };
	});
}

/**
 * For a person who lost their device: their key and recovery codes are removed and their sessions
 * end, so that they enrol again at their next sign-in (with their password). The reason is required
 * and audited.
 */
export async function resetSecondFactor(
	db: Db,
	actor: Actor,
	userId: number,
	reason: string
): Promise<void> {
	const why = reason.trim();
	if (!why) throw adminErrors.error('reason_required');
	await db.transaction().execute(async (trx) => {
		const user = await repo.lockAccount(trx, userId);
		if (!user || user.kind === 'applicant') throw adminErrors.error('not_found');
		const hadKey = await removeTotp(trx, userId);
		const endedSessions = await endAllSignIns(trx, userId);
		await recordAudit(trx, actor, {
			action: 'admin.second_factor_reset',
			subject: `user:${userId}`,
			reason: why.slice(0, 500),
			details: { hadKey, endedSessions }
		});
	});
}

/** Revokes a key, audited; refused when it was already revoked (or never existed). */
export async function revokeApiKeyAudited(db: Db, actor: Actor, id: number): Promise<void> {
	if (!(await revokeApiKey(db, id, actor)))
		throw adminErrors.error('already_revoked', { params: { id } });
}

async function accountsWithRoles(db: Db, id?: number) {
	const [users, roles] = await Promise.all([
		repo.findAccounts(db, id),
		repo.findRoleGrants(db, id)
	]);
	return users.map((u) => ({ ...u, roles: roles.filter((r) => r.user_id === u.id) }));
}

export async function listStaff(db: Db) {
	return accountsWithRoles(db);
}

/** The accounts as the administrator's list shows them. */
export async function listAccounts(db: Db) {
	return (await accountsWithRoles(db)).map((a) => ({
		id: a.id,
		email: a.email,
		name: a.display_name,
		kind: a.kind,
		disabled: a.disabled_at !== null,
		roles: a.roles.map((r) => ({ role: r.role, desk: r.desk, organisation: r.organisation }))
	}));
}

/** One staff or referent account with its roles; `not_found` for anyone else. */
export async function findStaffMember(db: Db, id: number) {
	const [member] = await accountsWithRoles(db, id);
	if (!member) throw adminErrors.error('not_found');
	return member;
}

/** Records whether the IND recognises an organisation as a sponsor (erkend referent). */
export async function setOrganisationRecognised(
	db: Db,
	actor: Actor,
	id: number,
	recognised: boolean
): Promise<void> {
	await db.transaction().execute(async (trx) => {
		const kvk = await repo.setOrganisationRecognised(trx, id, recognised);
		if (kvk === null) throw adminErrors.error('organisation_not_found');
		await recordAudit(trx, actor, {
			action: recognised ? 'admin.organisation_recognised' : 'admin.organisation_unrecognised',
			subject: `organisation:${kvk}`
		});
	});
}

export async function listOrganisations(db: Db) {
	return (await repo.findOrganisations(db)).map((o) => ({ ...o, cases: Number(o.cases) }));
}

/** The API keys as the administrator's list shows them; never their secrets. */
export async function listKeys(db: Db) {
	return (await listApiKeys(db)).map((k) => ({
		id: k.id,
		label: k.label,
		prefix: k.prefix,
		scopes: k.scopes,
		requestsPerMinute: k.requests_per_minute,
		createdAt: k.created_at,
		lastUsedAt: k.last_used_at,
		revokedAt: k.revoked_at
	}));
}
