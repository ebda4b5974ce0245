import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import type { StaffRole } from '$lib/server/db/schema';
import { live } from '$lib/server/db/expiry';
import { REFERENT_ROLES } from '$lib/roles';

export async function findOrganisation(db: Db, id: number) {
	return db
		.selectFrom('organisation')
		.select(['id', 'kvk', 'name', 'recognised'])
		.where('id', '=', id)
		.executeTakeFirst();
}

/** Locks the organisation's row: changes to its members are made one at a time. */
export async function lockOrganisation(db: Db, id: number) {
	return db
		.selectFrom('organisation')
		.select(['id', 'kvk', 'name'])
		.where('id', '=', id)
		.forUpdate()
		.executeTakeFirst();
}

/** The organisation's active members, administrators first, then by name. */
export async function findMembers(db: Db, organisationId: number) {
	return db
		.selectFrom('user_role')
		.innerJoin('app_user', 'app_user.id', 'user_role.user_id')
		.leftJoin('user_totp', 'user_totp.user_id', 'app_user.id')
		.select(['app_user.id', 'app_user.display_name', 'app_user.email', 'user_role.role'])
		.select((eb) => eb('user_totp.user_id', 'is not', null).as('has_totp'))
		.where('user_role.organisation_id', '=', organisationId)
		.where('user_role.role', 'in', REFERENT_ROLES)
		.where('app_user.disabled_at', 'is', null)
		.orderBy('user_role.role', 'desc')
		.orderBy('app_user.display_name')
		.orderBy('app_user.id')
		.execute();
}

/** The member's role in the organisation, or undefined when they are not (or no longer) one. */
export async function findMemberRole(db: Db, organisationId: number, userId: number) {
	const row = await db
		.selectFrom('user_role')
		.innerJoin('app_user', 'app_user.id', 'user_role.user_id')
		.select('user_role.role')
		.where('user_role.organisation_id', '=', organisationId)
		.where('user_role.user_id', '=', userId)
		.where('user_role.role', 'in', REFERENT_ROLES)
		.where('app_user.disabled_at', 'is', null)
		.executeTakeFirst();
	return row?.role;
}

export async function countActiveAdmins(db: Db, organisationId: number): Promise<number> {
	const row = await db
		.selectFrom('user_role')
		.innerJoin('app_user', 'app_user.id', 'user_role.user_id')
		.select((eb) => eb.fn.countAll<string>().as('n'))
		.where('user_role.organisation_id', '=', organisationId)
		.where('user_role.role', '=', 'referent_admin')
		.where('app_user.disabled_at', 'is', null)
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

export async function setMemberRole(
	db: Db,
	organisationId: number,
	userId: number,
	role: StaffRole
): Promise<void> {
	await db
		.updateTable('user_role')
		.set({ role })
		.where('organisation_id', '=', organisationId)
		.where('user_id', '=', userId)
		.execute();
}

/** Takes the person's roles in the organisation; returns how many roles they keep elsewhere. */
export async function deleteMemberRoles(
	db: Db,
	organisationId: number,
	userId: number
): Promise<number> {
	await db
		.deleteFrom('user_role')
		.where('organisation_id', '=', organisationId)
		.where('user_id', '=', userId)
		.execute();
	const left = await db
		.selectFrom('user_role')
		.select((eb) => eb.fn.countAll<string>().as('n'))
		.where('user_id', '=', userId)
		.executeTakeFirstOrThrow();
	return Number(left.n);
}

export async function disableAccount(db: Db, userId: number, now: Date): Promise<void> {
	await db
		.updateTable('app_user')
		.set({ disabled_at: now })
		.where('id', '=', userId)
		.where('disabled_at', 'is', null)
		.execute();
}

const liveInvitation = (now: Date) => live('referent_invitation', now);

/** Invitations that can still be accepted, newest first. */
export async function findLiveInvitations(db: Db, organisationId: number, now: Date) {
	return db
		.selectFrom('referent_invitation')
		.leftJoin('app_user', 'app_user.id', 'referent_invitation.invited_by')
		.select([
			'referent_invitation.id',
			'referent_invitation.email',
			'referent_invitation.role',
			'referent_invitation.created_at',
			'referent_invitation.expires_at',
			'app_user.display_name as invited_by'
		])
		.where('referent_invitation.organisation_id', '=', organisationId)
		.where('referent_invitation.revoked_at', 'is', null)
		.where(liveInvitation(now))
		.orderBy('referent_invitation.created_at', 'desc')
		.orderBy('referent_invitation.id', 'desc')
		.execute();
}

/** Withdraws every unused invitation of the address, e.g. before a new one is sent. */
export async function revokeInvitationsTo(
	db: Db,
	organisationId: number,
	email: string,
	now: Date
): Promise<void> {
	await db
		.updateTable('referent_invitation')
		.set({ revoked_at: now })
		.where('organisation_id', '=', organisationId)
		.where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
		.where('used_at', 'is', null)
		.where('revoked_at', 'is', null)
		.execute();
}

export async function insertInvitation(
	db: Db,
	invitation: {
		tokenHash: string;
		organisationId: number;
		email: string;
		role: StaffRole;
		invitedBy: number;
		now: Date;
		expiresAt: Date;
	}
): Promise<number> {
	const row = await db
		.insertInto('referent_invitation')
		.values({
			token_hash: invitation.tokenHash,
			organisation_id: invitation.organisationId,
			email: invitation.email,
			role: invitation.role,
			invited_by: invitation.invitedBy,
			created_at: invitation.now,
			expires_at: invitation.expiresAt
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

/** Withdraws one unused invitation of the organisation; returns its address, or null. */
export async function revokeInvitation(
	db: Db,
	organisationId: number,
	id: number,
	now: Date
): Promise<string | null> {
	const row = await db
		.updateTable('referent_invitation')
		.set({ revoked_at: now })
		.where('id', '=', id)
		.where('organisation_id', '=', organisationId)
		.where('used_at', 'is', null)
		.where('revoked_at', 'is', null)
		.returning('email')
		.executeTakeFirst();
	return row?.email ?? null;
}

/** A live invitation by its token's hash, with its organisation, for the page that accepts it. */
export async function findLiveInvitation(db: Db, tokenHash: string, now: Date) {
	return db
		.selectFrom('referent_invitation')
		.innerJoin('organisation', 'organisation.id', 'referent_invitation.organisation_id')
		.select([
			'referent_invitation.id',
			'referent_invitation.email',
			'referent_invitation.role',
			'referent_invitation.organisation_id',
			'organisation.name as organisation_name',
			'organisation.kvk as organisation_kvk'
		])
		.where('referent_invitation.token_hash', '=', tokenHash)
		.where('referent_invitation.revoked_at', 'is', null)
		.where(liveInvitation(now))
		.executeTakeFirst();
}

/** Uses up a live invitation (one request wins); returns it, or undefined. */
export async function claimInvitation(db: Db, tokenHash: string, now: Date) {
	return db
		.updateTable('referent_invitation')
		.set({ used_at: now })
		.where('token_hash', '=', tokenHash)
		.where('revoked_at', 'is', null)
		.where(liveInvitation(now))
		.returning(['id', 'organisation_id', 'email', 'role'])
		.executeTakeFirst();
}

export async function recordInvitationUser(db: Db, id: number, userId: number): Promise<void> {
	await db
		.updateTable('referent_invitation')
		.set({ used_by: userId })
		.where('id', '=', id)
		.execute();
}

/**
 * A new referent account with its role; undefined when the address already has an account (also
 * one made a moment ago by another request: the unique index decides, not an earlier look).
 */
export async function insertMemberAccount(
	db: Db,
	account: {
		email: string;
		displayName: string;
		passwordHash: string;
		language: string;
		role: StaffRole;
		organisationId: number;
	}
): Promise<number | undefined> {
	const row = await db
		.insertInto('app_user')
		.values({
			email: account.email,
			display_name: account.displayName,
			password_hash: account.passwordHash,
			kind: 'referent',
			applicant_id: null,
			language: account.language
		})
		.onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
		.returning('id')
		.executeTakeFirst();
	if (!row) return undefined;
	await db
		.insertInto('user_role')
		.values({ user_id: row.id, role: account.role, organisation_id: account.organisationId })
		.execute();
	return row.id;
}
