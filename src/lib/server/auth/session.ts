import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { sha256Hex } from '$lib/server/crypto/hash';
import type { Cookies } from '@sveltejs/kit';
import type { Db } from '$lib/server/db';
import type { AccountKind } from '$lib/server/db/schema';
import { SECOND_FACTOR_ROLES } from '$lib/roles';
import {
	deleteSession,
	deleteSessionsOfUser,
	findLiveSessions,
	findSessionWithUser,
	insertSession,
	updateSessionSeen
} from './session.repository';
import { deletePendingLoginsOfUser } from './pending-login.repository';
import { ListeningSessionCache, type SessionCache } from './session.cache';

const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;

/**
 * Over https the cookie is `__Host-session`: the browser then insists on Secure, Path=/ and no
 * Domain, so no subdomain and no plain-http page can set or overwrite it. Plain http (localhost
 * development) cannot use the prefix.
 */
export function sessionCookieName(secure: boolean): string {
	return secure ? '__Host-session' : 'session';
}

/** The roles that may only sign in with a second factor. */
export { SECOND_FACTOR_ROLES };

export function requiresSecondFactor(roles: { role: string }[]): boolean {
	return roles.some((r) => (SECOND_FACTOR_ROLES as readonly string[]).includes(r.role));
}

/** Minutes without a request after which a staff session ends (STAFF_IDLE_MINUTES, default 20). */
export function staffIdleMs(env: NodeJS.ProcessEnv = process.env): number {
	const minutes = Number(env.STAFF_IDLE_MINUTES);
	return (Number.isFinite(minutes) && minutes > 0 ? minutes : 20) * MINUTE;
}

/** Applicants and referents stay signed in for 30 days of inactivity; staff for one 12-hour shift. */
export function sessionLifetime(kind: AccountKind): { ms: number; sliding: boolean } {
	return kind === 'staff'
		? { ms: 12 * 60 * 60 * 1000, sliding: false }
		: { ms: 30 * DAY, sliding: true };
}

/** The secret of a session, a pending sign-in or a reset link: 160 random bits, in base32. */
export function generateToken(): string {
	return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
}

/** The id a token's row is stored under: its hash, so the table holds no token that works. */
export function idOfToken(token: string): string {
	return sha256Hex(token);
}

/** The browser's user agent as a session or a pending sign-in keeps it, for the list of devices. */
export function userAgentToKeep(userAgent: string | null): string | null {
	return userAgent?.slice(0, 300) ?? null;
}

export async function createSession(
	db: Db,
	token: string,
	userId: number,
	kind: AccountKind,
	userAgent: string | null,
	now = new Date()
) {
	const expiresAt = new Date(now.getTime() + sessionLifetime(kind).ms);
	const id = idOfToken(token);
	await insertSession(db, { id, userId, now, expiresAt, userAgent: userAgentToKeep(userAgent) });
	return { id, expiresAt };
}

type SessionRow = NonNullable<Awaited<ReturnType<typeof findSessionWithUser>>>;

let cache: SessionCache<SessionRow> | undefined;

/**
 * Keeps checked sessions in memory while PostgreSQL's notifications can be heard
 * (`ListeningSessionCache`); without it, or with SESSION_CACHE=off, every request reads its
 * session from the database.
 */
export function startSessionCache(
	connectionString: string | undefined,
	env: NodeJS.ProcessEnv = process.env
): void {
	if (!connectionString || env.SESSION_CACHE === 'off' || cache) return;
	cache = new ListeningSessionCache<SessionRow>(connectionString);
}

/** This server ended the session: the next request must not wait for the notification. */
export function forgetCachedSession(id: string): void {
	cache?.forget(id);
}

export async function stopSessionCache(): Promise<void> {
	await cache?.close();
	cache = undefined;
}

/**
 * The session of a token. A session that an administrator ends, or of an account they disable, is
 * refused at the next request on every app server: the session cache forgets it within a second.
 * What the cache holds is only trusted to say yes; before a session is ended as expired or idle,
 * the database is asked again (another server may have seen the person since).
 */
export async function validateSessionToken(
	db: Db,
	token: string,
	now = new Date(),
	sessions: SessionCache<SessionRow> | undefined = cache
) {
	const id = idOfToken(token);
	const load = () => findSessionWithUser(db, id);
	let row = sessions ? await sessions.read(id, load) : await load();
	if (!row) return null;
	if (sessions && isEnding(row, now)) {
		sessions.forget(id);
		row = await load();
		if (!row) return null;
	}
	const at = now.getTime();
	if (isEnding(row, now)) {
		await deleteSession(db, id);
		return null;
	}
	const staff = row.kind === 'staff';
	const lifetime = sessionLifetime(row.kind);
	let expiresAt = row.expiresAt;
	// Staff activity is noted every minute, so the idle limit holds to the minute; others every
	// 5 minutes, so a busy user causes few writes.
	const seenEvery = staff ? MINUTE : 5 * MINUTE;
	// Renew when less than half the lifetime is left.
	if (lifetime.sliding && row.expiresAt.getTime() - at < lifetime.ms / 2) {
		expiresAt = new Date(at + lifetime.ms);
		await updateSessionSeen(db, id, { lastSeenAt: now, expiresAt });
		sessions?.update(id, { ...row, lastSeenAt: now, expiresAt });
	} else if (at - row.lastSeenAt.getTime() >= seenEvery) {
		await updateSessionSeen(db, id, { lastSeenAt: now });
		sessions?.update(id, { ...row, lastSeenAt: now });
	}
	return { ...row, expiresAt, renewed: expiresAt !== row.expiresAt };
}

/** Expired, idle too long, disabled, or opened without a second factor the account now needs. */
function isEnding(row: SessionRow, now: Date): boolean {
	const at = now.getTime();
	const idle = row.kind === 'staff' && at - row.lastSeenAt.getTime() >= staffIdleMs();
	// A session opened with a password alone, for an account that now needs a second factor
	// (e.g. a new role), does not count.
	const missingFactor = !row.hasTotp && requiresSecondFactor(row.roles);
	return at >= row.expiresAt.getTime() || Boolean(row.disabledAt) || idle || missingFactor;
}

/**
 * Signs the account out everywhere: every session ends, and so does a sign-in waiting for its
 * second step. Returns how many sessions ended.
 */
export async function endAllSignIns(db: Db, userId: number): Promise<number> {
	const ended = await deleteSessionsOfUser(db, userId);
	await deletePendingLoginsOfUser(db, userId);
	return ended;
}

export async function listSessions(db: Db, userId: number, now = new Date()) {
	return findLiveSessions(db, userId, now);
}

export function setSessionCookie(
	cookies: Cookies,
	token: string,
	expiresAt: Date,
	secure: boolean
): void {
	cookies.set(sessionCookieName(secure), token, {
		httpOnly: true,
		sameSite: 'lax',
		secure,
		expires: expiresAt,
		path: '/'
	});
}

export function deleteSessionCookie(cookies: Cookies, secure: boolean): void {
	cookies.set(sessionCookieName(secure), '', {
		httpOnly: true,
		sameSite: 'lax',
		secure,
		maxAge: 0,
		path: '/'
	});
}

/** The sign-in between password and second factor: not a session, and refused everywhere else. */
export function pendingCookieName(secure: boolean): string {
	return secure ? '__Host-pending_login' : 'pending_login';
}

export function setPendingCookie(
	cookies: Cookies,
	token: string,
	expiresAt: Date,
	secure: boolean
): void {
	cookies.set(pendingCookieName(secure), token, {
		httpOnly: true,
		sameSite: 'lax',
		secure,
		expires: expiresAt,
		path: '/'
	});
}

export function deletePendingCookie(cookies: Cookies, secure: boolean): void {
	cookies.set(pendingCookieName(secure), '', {
		httpOnly: true,
		sameSite: 'lax',
		secure,
		maxAge: 0,
		path: '/'
	});
}
