import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import type { StaffRole } from '$lib/server/db/schema';
import { STAFF_ROLES } from '$lib/roles';
import { recordAudit, type Actor } from '$lib/server/audit/audit.service';
import { checkPasswordStrength, hashPassword } from '$lib/server/auth/password';
import { revokeApiKey } from '$lib/server/api-keys/api-key.service';
import { invalidateAllSessions } from '$lib/server/auth/session';

export type AdminErrorCode =
	| 'last_admin'
	| 'reason_required'
	| 'own_account'
	| 'email_taken'
	| 'kvk_taken'
	| 'organisation_unknown'
	| 'desk_required'
	| 'too_short'
	| 'too_long'
	| 'too_common'
	| 'not_found';

export class AdminError extends Error {
	constructor(
		readonly code: AdminErrorCode,
		readonly field: string
	) {
		super(code);
	}
}

// Any constant, distinct from the audit chain's.
const ROLE_CHANGE_LOCK = 7_270_002;

async function emailTaken(db: Db, email: string): Promise<boolean> {
	const row = await db
		.selectFrom('app_user')
		.select('id')
		.where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
		.executeTakeFirst();
	return !!row;
}

async function checkNewAccount(db: Db, email: string, password: string) {
	if (await emailTaken(db, email)) throw new AdminError('email_taken', 'email');
	const problem = checkPasswordStrength(password);
	if (problem) throw new AdminError(problem, 'password');
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
	const roles = input.roles.filter((r) => (STAFF_ROLES as readonly string[]).includes(r));
	if (roles.includes('counter') && !input.desk?.trim())
		throw new AdminError('desk_required', 'desk');
	const passwordHash = await checkNewAccount(db, input.email, input.password);
	return db.transaction().execute(async (trx) => {
		const user = await trx
			.insertInto('app_user')
			.values({
				email: input.email.trim(),
				display_name: input.displayName.trim(),
				password_hash: passwordHash,
				kind: 'staff',
				applicant_id: null
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		if (roles.length) {
			await trx
				.insertInto('user_role')
				.values(
					roles.map((role) => ({
						user_id: user.id,
						role,
						organisation_id: null,
						desk: role === 'counter' ? input.desk!.trim() : null
					}))
				)
				.execute();
		}
		await recordAudit(trx, actor, {
			action: 'admin.staff_created',
			subject: `user:${user.id}`,
			details: { roles }
		});
		return user.id;
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
	const wanted = roles.filter((r) => (STAFF_ROLES as readonly string[]).includes(r));
	if (wanted.includes('counter') && !desk?.trim()) throw new AdminError('desk_required', 'desk');
	await db.transaction().execute(async (trx) => {
		// Role changes are rare: one at a time, so that two administrators taking the role from each
		// other at once cannot both succeed, and the second sees what the first did.
		await sql`select pg_advisory_xact_lock(${ROLE_CHANGE_LOCK})`.execute(trx);
		const user = await trx
			.selectFrom('app_user')
			.select(['id', 'kind'])
			.where('id', '=', userId)
			.forUpdate()
			.executeTakeFirst();
		if (!user || user.kind !== 'staff') throw new AdminError('not_found', 'user');
		const before = (
			await trx.selectFrom('user_role').select('role').where('user_id', '=', userId).execute()
		).map((r) => r.role);
		await trx.deleteFrom('user_role').where('user_id', '=', userId).execute();
		if (wanted.length) {
			await trx
				.insertInto('user_role')
				.values(
					wanted.map((role) => ({
						user_id: userId,
						role,
						organisation_id: null,
						desk: role === 'counter' ? desk!.trim() : null
					}))
				)
				.execute();
		}
		const admins = await trx
			.selectFrom('user_role')
			.select('user_id')
			.where('role', '=', 'admin')
			.execute();
		if (admins.length === 0) throw new AdminError('last_admin', 'roles');
		await recordAudit(trx, actor, {
			action: 'admin.roles_changed',
			subject: `user:${userId}`,
			details: { before, after: wanted, desk }
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
	const existing = await db
		.selectFrom('organisation')
		.select('id')
		.where('kvk', '=', input.kvk)
		.executeTakeFirst();
	if (existing) throw new AdminError('kvk_taken', 'kvk');
	const passwordHash = await checkNewAccount(db, input.adminEmail, input.adminPassword);
	return db.transaction().execute(async (trx) => {
		const organisation = await trx
			.insertInto('organisation')
			.values({ kvk: input.kvk, name: input.name.trim() })
			.returning('id')
			.executeTakeFirstOrThrow();
		const user = await trx
			.insertInto('app_user')
			.values({
				email: input.adminEmail.trim(),
				display_name: input.adminName.trim(),
				password_hash: passwordHash,
				kind: 'referent',
				applicant_id: null
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await trx
			.insertInto('user_role')
			.values({
				user_id: user.id,
				role: 'referent_admin',
				organisation_id: organisation.id,
				desk: null
			})
			.execute();
		await recordAudit(trx, actor, {
			action: 'admin.organisation_created',
			subject: `organisation:${input.kvk}`,
			details: { adminUserId: user.id }
		});
		return organisation.id;
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
	if (actor.userId === userId) throw new AdminError('own_account', 'user');
	return db.transaction().execute(async (trx) => {
		// With the role changes: one at a time, so that the last active administrator remains.
		await sql`select pg_advisory_xact_lock(${ROLE_CHANGE_LOCK})`.execute(trx);
		const user = await trx
			.selectFrom('app_user')
			.select(['id', 'kind', 'disabled_at'])
			.where('id', '=', userId)
			.forUpdate()
			.executeTakeFirst();
		if (!user || user.kind === 'applicant') throw new AdminError('not_found', 'user');
		await trx
			.updateTable('app_user')
			.set({ disabled_at: disabled ? (user.disabled_at ?? now) : null })
			.where('id', '=', userId)
			.execute();
		let endedSessions = 0;
		if (disabled) {
			endedSessions = await invalidateAllSessions(trx, userId);
			await trx.deleteFrom('pending_login').where('user_id', '=', userId).execute();
			// An active administrator must remain.
			const admins = await trx
				.selectFrom('user_role')
				.innerJoin('app_user', 'app_user.id', 'user_role.user_id')
				.select('user_role.user_id')
				.where('user_role.role', '=', 'admin')
				.where('app_user.disabled_at', 'is', null)
				.execute();
			if (admins.length === 0) throw new AdminError('last_admin', 'user');
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
	if (!why) throw new AdminError('reason_required', 'reason');
	await db.transaction().execute(async (trx) => {
		const user = await trx
			.selectFrom('app_user')
			.select(['id', 'kind'])
			.where('id', '=', userId)
			.forUpdate()
			.executeTakeFirst();
		if (!user || user.kind === 'applicant') throw new AdminError('not_found', 'user');
		const removed = await trx
			.deleteFrom('user_totp')
			.where('user_id', '=', userId)
			.executeTakeFirst();
		await trx.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
		await trx.deleteFrom('pending_login').where('user_id', '=', userId).execute();
		const endedSessions = await invalidateAllSessions(trx, userId);
		await recordAudit(trx, actor, {
			action: 'admin.second_factor_reset',
			subject: `user:${userId}`,
			reason: why.slice(0, 500),
			details: { hadKey: removed.numDeletedRows === 1n, endedSessions }
		});
	});
}

export async function revokeApiKeyAudited(db: Db, actor: Actor, id: number): Promise<boolean> {
	return revokeApiKey(db, id, actor);
}

export async function listStaff(db: Db) {
	const users = await db
		.selectFrom('app_user')
		.select(['id', 'email', 'display_name', 'kind', 'disabled_at'])
		.select((eb) =>
			eb
				.exists(
					eb
						.selectFrom('user_totp')
						.select('user_totp.user_id')
						.whereRef('user_totp.user_id', '=', 'app_user.id')
				)
				.as('has_totp')
		)
		.where('kind', 'in', ['staff', 'referent'])
		.orderBy('id')
		.execute();
	const roles = await db
		.selectFrom('user_role')
		.leftJoin('organisation', 'organisation.id', 'user_role.organisation_id')
		.select(['user_id', 'role', 'desk', 'organisation.name as organisation'])
		.execute();
	return users.map((u) => ({ ...u, roles: roles.filter((r) => r.user_id === u.id) }));
}

export async function listOrganisations(db: Db) {
	return db
		.selectFrom('organisation')
		.leftJoin('case', (join) => join.onRef('case.sponsor_kvk', '=', 'organisation.kvk'))
		.select([
			'organisation.id',
			'organisation.kvk',
			'organisation.name',
			(eb) => eb.fn.count<number>('case.id').as('cases')
		])
		.groupBy(['organisation.id', 'organisation.kvk', 'organisation.name'])
		.orderBy('organisation.name')
		.execute();
}
