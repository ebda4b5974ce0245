/**
 * An erkend referent organisation's colleagues: its administrators invite them by a single-use
 * e-mail link, make them administrator or member, and remove them. Everyone in the organisation
 * sees the same cases (the workspace reads the organisation, never the person). Every change is
 * made with the organisation's row locked, so that two administrators removing each other at once
 * cannot leave it without one, and is audited.
 */
import type { Db } from '$lib/server/db';
import type { StaffRole } from '$lib/server/db/schema';
import { grantOf, type Principal, actorOf } from '$lib/server/auth/principal';
import { recordAudit, type Actor } from '$lib/server/audit/audit.service';
import { checkPasswordStrength, hashPassword } from '$lib/server/auth/password';
import { endAllSignIns, generateToken, idOfToken } from '$lib/server/auth/session';
import { queueEmail } from '$lib/server/notify/email.service';
import { isDemoMode } from '$lib/server/config/mode';
import { consume, type Limit } from '$lib/server/ratelimit/rate-limit';
import { translator } from '$lib/i18n';
import { formatDateTime } from '$lib/i18n/format';
import { memberErrors } from './members.errors';
import * as repo from './members.repository';

/** How long an invitation link works. */
export const INVITATION_DAYS = 7;
const DAY_MS = 86_400_000;

export type MemberRole = 'referent_member' | 'referent_admin';

/**
 * An organisation's e-mail is sent in the portal's name: per day at most 50 invitations from it,
 * and 5 to any one address, so that a mistake or a stolen session cannot turn it into a spam run.
 */
export function invitationLimits(organisationId: number, email: string): Limit[] {
	return [
		{ key: `invite:organisation:${organisationId}`, limit: 50, windowMs: DAY_MS },
		{
			key: `invite:email:${organisationId}:${email.trim().toLowerCase()}`,
			limit: 5,
			windowMs: DAY_MS
		}
	];
}

/** The organisation the administrator runs, and them as the audit log records them. */
function administration(admin: Principal, ip: string | null) {
	const organisationId = grantOf(admin, 'referent_admin')?.organisationId;
	if (!organisationId) throw memberErrors.error('not_found');
	return { organisationId, actor: actorOf(admin, 'referent_admin', ip) };
}

/**
 * Locks the organisation, and checks that the administrator still is one: a request that started
 * before another administrator removed them must not change anything after.
 */
async function lockAsAdministrator(trx: Db, organisationId: number, admin: Principal) {
	const organisation = await repo.lockOrganisation(trx, organisationId);
	if (
		!organisation ||
		(await repo.findMemberRole(trx, organisationId, admin.id)) !== 'referent_admin'
	)
		throw memberErrors.error('not_found');
	return organisation;
}

export interface MembersView {
	organisation: { kvk: string; name: string; recognised: boolean };
	members: {
		id: number;
		name: string;
		email: string;
		role: MemberRole;
		self: boolean;
		hasTotp: boolean;
	}[];
	invitations: {
		id: number;
		email: string;
		role: MemberRole;
		invitedBy: string | null;
		expiresAt: Date;
	}[];
}

type MemberRow = Awaited<ReturnType<typeof repo.findMembers>>[number];

function toMember(m: MemberRow, admin: Principal): MembersView['members'][number] {
	return {
		id: m.id,
		name: m.display_name,
		email: m.email,
		role: m.role as MemberRole,
		self: m.id === admin.id,
		hasTotp: Boolean(m.has_totp)
	};
}

export async function getMembers(db: Db, admin: Principal, now = new Date()): Promise<MembersView> {
	const { organisationId } = administration(admin, null);
	const [organisation, members, invitations] = await Promise.all([
		repo.findOrganisation(db, organisationId),
		repo.findMembers(db, organisationId),
		repo.findLiveInvitations(db, organisationId, now)
	]);
	if (!organisation) throw memberErrors.error('not_found');
	return {
		organisation: {
			kvk: organisation.kvk,
			name: organisation.name,
			recognised: organisation.recognised
		},
		members: members.map((m) => toMember(m, admin)),
		invitations: invitations.map((i) => ({
			id: i.id,
			email: i.email,
			role: i.role as MemberRole,
			invitedBy: i.invited_by,
			expiresAt: i.expires_at
		}))
	};
}

export interface Invitation {
	email: string;
	role: MemberRole;
}

export interface SentInvitation {
	email: string;
	/** The link itself, only in demo mode without a mail server: it reaches nobody otherwise. */
	demoLink: string | null;
}

/**
 * Sends a single-use link to the address. A second invitation to the same address withdraws the
 * first. Whether the address already has an account is not said here: the person who accepts
 * hears it, and an administrator cannot use the form to find out who has an account.
 */
export async function inviteMember(
	db: Db,
	admin: Principal,
	input: Invitation,
	context: { origin: string; lang: string; ip: string | null; smtp: boolean },
	now = new Date()
): Promise<SentInvitation> {
	const { organisationId, actor } = administration(admin, context.ip);
	const verdict = await consume(db, invitationLimits(organisationId, input.email), now);
	if (!verdict.allowed)
		throw memberErrors.error('invitations_throttled', { retryAt: verdict.retryAt });
	const token = generateToken();
	const link = `${context.origin}/auth/invitation/${token}`;
	const expiresAt = new Date(now.getTime() + INVITATION_DAYS * DAY_MS);
	const t = translator(context.lang);
	await db.transaction().execute(async (trx) => {
		const organisation = await lockAsAdministrator(trx, organisationId, admin);
		await repo.revokeInvitationsTo(trx, organisationId, input.email, now);
		const id = await repo.insertInvitation(trx, {
			tokenHash: idOfToken(token),
			organisationId,
			email: input.email,
			role: input.role,
			invitedBy: admin.id,
			now,
			expiresAt
		});
		await queueEmail(trx, {
			to: input.email,
			template: 'referent_invitation',
			lang: context.lang,
			params: {
				organisation: organisation.name,
				inviter: admin.displayName,
				role: t(`referent:members.role.${input.role}`),
				link,
				until: formatDateTime(context.lang, expiresAt)
			}
		});
		await recordAudit(trx, actor, {
			action: 'referent.member_invited',
			subject: `invitation:${id}`,
			details: { email: input.email, role: input.role }
		});
	});
	return { email: input.email, demoLink: isDemoMode() && !context.smtp ? link : null };
}

export async function revokeInvitation(
	db: Db,
	admin: Principal,
	invitationId: number,
	ip: string | null,
	now = new Date()
): Promise<string> {
	const { organisationId, actor } = administration(admin, ip);
	return db.transaction().execute(async (trx) => {
		await lockAsAdministrator(trx, organisationId, admin);
		const email = await repo.revokeInvitation(trx, organisationId, invitationId, now);
		if (email === null) throw memberErrors.error('invitation_gone');
		await recordAudit(trx, actor, {
			action: 'referent.invitation_revoked',
			subject: `invitation:${invitationId}`
		});
		return email;
	});
}

/** A colleague of the administrator's organisation, for the page that changes or removes them. */
export async function getMember(db: Db, admin: Principal, userId: number) {
	const { organisationId } = administration(admin, null);
	const member = (await repo.findMembers(db, organisationId)).find((m) => m.id === userId);
	if (!member) throw memberErrors.error('not_found');
	return toMember(member, admin);
}

/**
 * Checks, with the organisation locked, that `userId` is a colleague other than the administrator;
 * then runs the change and refuses it when no active administrator would be left.
 */
async function changeMember<R>(
	db: Db,
	admin: Principal,
	userId: number,
	ip: string | null,
	change: (trx: Db, organisationId: number, role: StaffRole, actor: Actor) => Promise<R>
): Promise<R> {
	const { organisationId, actor } = administration(admin, ip);
	if (userId === admin.id) throw memberErrors.error('own_account');
	return db.transaction().execute(async (trx) => {
		await lockAsAdministrator(trx, organisationId, admin);
		const role = await repo.findMemberRole(trx, organisationId, userId);
		if (!role) throw memberErrors.error('not_found');
		const result = await change(trx, organisationId, role, actor);
		if ((await repo.countActiveAdmins(trx, organisationId)) === 0)
			throw memberErrors.error('last_admin');
		return result;
	});
}

/**
 * Makes a colleague administrator or member. A new administrator without a key for the second
 * step is signed out by the session check and sets one up at the next sign-in.
 */
export async function setMemberRole(
	db: Db,
	admin: Principal,
	userId: number,
	role: MemberRole,
	ip: string | null
): Promise<void> {
	await changeMember(db, admin, userId, ip, async (trx, organisationId, before, actor) => {
		if (before === role) return;
		await repo.setMemberRole(trx, organisationId, userId, role);
		await recordAudit(trx, actor, {
			action: 'referent.member_role_changed',
			subject: `user:${userId}`,
			details: { before, after: role }
		});
	});
}

/**
 * Removes a colleague: their role in the organisation goes and, with no role left, their account
 * is disabled. Every session of theirs ends in the same transaction, so their next request, on
 * any app server, is refused.
 */
export async function removeMember(
	db: Db,
	admin: Principal,
	userId: number,
	ip: string | null,
	now = new Date()
): Promise<{ endedSessions: number }> {
	return changeMember(db, admin, userId, ip, async (trx, organisationId, role, actor) => {
		const rolesLeft = await repo.deleteMemberRoles(trx, organisationId, userId);
		if (rolesLeft === 0) await repo.disableAccount(trx, userId, now);
		const endedSessions = await endAllSignIns(trx, userId);
		await recordAudit(trx, actor, {
			action: 'referent.member_removed',
			subject: `user:${userId}`,
			details: { role, endedSessions, disabled: rolesLeft === 0 }
		});
		return { endedSessions };
	});
}

/** What the invitation page shows before the person accepts; null when the link no longer works. */
export async function findInvitation(db: Db, token: string, now = new Date()) {
	const row = await repo.findLiveInvitation(db, idOfToken(token), now);
	if (!row) return null;
	return {
		email: row.email,
		role: row.role as MemberRole,
		organisation: { name: row.organisation_name, kvk: row.organisation_kvk }
	};
}

/**
 * Accepts an invitation: the account is made with the invited address, the chosen name and
 * password, and the role the administrator chose. The link works once; an address that already
 * has an account is refused (the IND can add a role to it).
 */
export async function acceptInvitation(
	db: Db,
	token: string,
	input: { name: string; password: string; lang: string },
	ip: string | null,
	now = new Date()
): Promise<{ email: string; role: MemberRole }> {
	const problem = checkPasswordStrength(input.password);
	if (problem) throw memberErrors.error(problem);
	const passwordHash = await hashPassword(input.password);
	return db.transaction().execute(async (trx) => {
		const invitation = await repo.claimInvitation(trx, idOfToken(token), now);
		if (!invitation) throw memberErrors.error('invitation_invalid');
		const userId = await repo.insertMemberAccount(trx, {
			email: invitation.email,
			displayName: input.name,
			passwordHash,
			language: input.lang,
			role: invitation.role,
			organisationId: invitation.organisation_id
		});
		if (userId === undefined) throw memberErrors.error('email_taken');
		await repo.recordInvitationUser(trx, invitation.id, userId);
		await recordAudit(
			trx,
			{ userId, role: 'anonymous', ip },
			{
				action: 'referent.invitation_accepted',
				subject: `invitation:${invitation.id}`,
				details: { userId, role: invitation.role }
			}
		);
		return { email: invitation.email, role: invitation.role as MemberRole };
	});
}
