import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Cookies } from '@sveltejs/kit';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '$lib/server/db';
import type { AccountKind } from '$lib/server/db/schema';

export const SESSION_COOKIE = 'session';
const DAY = 24 * 60 * 60 * 1000;

/** Applicants and referents stay signed in for 30 days of inactivity; staff for one 12-hour shift. */
export function sessionLifetime(kind: AccountKind): { ms: number; sliding: boolean } {
	return kind === 'staff' ? { ms: 12 * 60 * 60 * 1000, sliding: false } : { ms: 30 * DAY, sliding: true };
}

export function generateSessionToken(): string {
	return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
}

export function sessionIdOf(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createSession(db: Db, token: string, userId: number, kind: AccountKind, userAgent: string | null) {
	const expiresAt = new Date(Date.now() + sessionLifetime(kind).ms);
	const id = sessionIdOf(token);
	await db
		.insertInto('user_session')
		.values({ id, user_id: userId, expires_at: expiresAt, user_agent: userAgent?.slice(0, 300) ?? null })
		.execute();
	return { id, expiresAt };
}

export async function validateSessionToken(db: Db, token: string) {
	const id = sessionIdOf(token);
	const row = await db
		.selectFrom('user_session')
		.innerJoin('app_user', 'app_user.id', 'user_session.user_id')
		.select([
			'user_session.id as sessionId',
			'user_session.expires_at as expiresAt',
			'user_session.last_seen_at as lastSeenAt',
			'app_user.id as userId',
			'app_user.email',
			'app_user.display_name as displayName',
			'app_user.kind',
			'app_user.applicant_id as applicantId',
			'app_user.language',
			'app_user.disabled_at as disabledAt'
		])
		// The roles come in the same round trip: this runs on every request.
		.select((eb) =>
			jsonArrayFrom(
				eb
					.selectFrom('user_role')
					.leftJoin('organisation', 'organisation.id', 'user_role.organisation_id')
					.select(['user_role.role', 'user_role.organisation_id as organisationId', 'organisation.kvk as organisationKvk', 'organisation.name as organisationName', 'user_role.desk'])
					.whereRef('user_role.user_id', '=', 'app_user.id')
					.orderBy('user_role.role')
			).as('roles')
		)
		.where('user_session.id', '=', id)
		.executeTakeFirst();
	if (!row) return null;
	const now = Date.now();
	if (now >= row.expiresAt.getTime() || row.disabledAt) {
		await db.deleteFrom('user_session').where('id', '=', id).execute();
		return null;
	}
	const lifetime = sessionLifetime(row.kind);
	let expiresAt = row.expiresAt;
	// Renew when less than half the lifetime is left, so a busy user causes few writes.
	if (lifetime.sliding && row.expiresAt.getTime() - now < lifetime.ms / 2) {
		expiresAt = new Date(now + lifetime.ms);
		await db.updateTable('user_session').set({ expires_at: expiresAt, last_seen_at: new Date(now) }).where('id', '=', id).execute();
	} else if (now - row.lastSeenAt.getTime() > 5 * 60 * 1000) {
		await db.updateTable('user_session').set({ last_seen_at: new Date(now) }).where('id', '=', id).execute();
	}
	return { ...row, expiresAt, renewed: expiresAt !== row.expiresAt };
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
	await db.deleteFrom('user_session').where('id', '=', sessionId).execute();
}

export async function invalidateAllSessions(db: Db, userId: number): Promise<number> {
	const result = await db.deleteFrom('user_session').where('user_id', '=', userId).executeTakeFirst();
	return Number(result.numDeletedRows);
}

export async function listSessions(db: Db, userId: number) {
	return db
		.selectFrom('user_session')
		.select(['id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent'])
		.where('user_id', '=', userId)
		.where('expires_at', '>', new Date())
		.orderBy('last_seen_at', 'desc')
		.execute();
}

export function setSessionCookie(cookies: Cookies, token: string, expiresAt: Date, secure: boolean): void {
	cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, expires: expiresAt, path: '/' });
}

export function deleteSessionCookie(cookies: Cookies, secure: boolean): void {
	cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure, maxAge: 0, path: '/' });
}
