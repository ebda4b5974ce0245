import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { Db } from '$lib/server/db';
import type { AccountKind } from '$lib/server/db/schema';
import { recordAudit, type Actor } from '$lib/server/audit/audit.service';
import { consume, refund, reset } from '$lib/server/ratelimit/rate-limit';
import { authErrors } from './auth.errors';
import { hashPassword, verifyPassword } from './password';
import { toPrincipal, type Principal } from './principal';
import {
	createSession,
	forgetCachedSession,
	generateToken,
	idOfToken,
	requiresSecondFactor,
	userAgentToKeep
} from './session';
import { deleteSession, deleteSessionsOfUser } from './session.repository';
import { secondFactorLimits, throttleKeys } from './throttle';
import { hasTotp, matchingStep, newTotpSecret, saveTotp, useSecondFactorCode } from './totp';
import {
	deletePendingLogin,
	findLivePendingLogin,
	keepEnrolSecret,
	replacePendingLogin
} from './pending-login.repository';
import { findPrincipal, findRoles, findUserByEmail } from './user.repository';

/** Time to type the code from the app after the password, or to enrol. */
export const PENDING_LOGIN_MS = 10 * 60 * 1000;

const DUMMY_HASH = await hashPassword(
	'not-a-real-password-' +
		encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(10)))
);

export type PasswordVerifier = (hash: string, password: string) => Promise<boolean>;

type User = NonNullable<Awaited<ReturnType<typeof findUserByEmail>>>;

export type LoginResult =
	| { kind: 'session'; token: string; expiresAt: Date; user: User; principal: Principal }
	| { kind: 'second_factor'; pendingToken: string; expiresAt: Date; enrol: boolean; user: User };

/** The signed-in person of an account, as pages and guards see them. */
export async function principalOf(db: Db, userId: number): Promise<Principal> {
	return findPrincipal(db, userId);
}

/**
 * Checks the password. The attempt is counted before the password is checked, in one atomic
 * upsert per limit, so parallel guesses cannot all pass a check made before any of them failed:
 * at most 5 passwords are verified per account and IP in a window. A right password gives its
 * count back. Then either a session starts (a new id at every login, written in one transaction
 * with its audit row) or, for an account with a second factor, a pending sign-in that only the
 * second step accepts.
 */
export async function login(
	db: Db,
	email: string,
	password: string,
	ip: string,
	userAgent: string | null,
	now = new Date(),
	verify: PasswordVerifier = verifyPassword
): Promise<LoginResult> {
	const keys = throttleKeys('login', email, ip);
	const subject = `email:${email.trim().toLowerCase().slice(0, 254)}`;
	const verdict = await consume(db, keys, now);
	if (!verdict.allowed) {
		await recordAudit(
			db,
			{ userId: null, role: 'anonymous', ip },
			{ action: 'auth.login_throttled', subject }
		);
		throw authErrors.error('throttled', { retryAt: verdict.retryAt, field: 'email' });
	}
	const user = await findUserByEmail(db, email);
	// Verify against a real hash even for unknown e-mail addresses, so timing does not tell which exist.
	const ok = await verify(user?.password_hash ?? DUMMY_HASH, password);
	if (!user || !ok || user.disabled_at) {
		await recordAudit(
			db,
			{ userId: user?.id ?? null, role: 'anonymous', ip },
			{ action: 'auth.login_failed', subject }
		);
		throw authErrors.error('bad_credentials');
	}
	await reset(db, [keys[0].key]);
	await refund(db, keys.slice(1));
	const roles = await findRoles(db, user.id);
	const enrolled = await hasTotp(db, user.id);
	if (enrolled || requiresSecondFactor(roles)) {
		const pendingToken = generateToken();
		const expiresAt = new Date(now.getTime() + PENDING_LOGIN_MS);
		await db.transaction().execute(async (trx) => {
			await replacePendingLogin(trx, {
				id: idOfToken(pendingToken),
				userId: user.id,
				now,
				expiresAt,
				userAgent: userAgentToKeep(userAgent)
			});
			await recordAudit(
				trx,
				{ userId: user.id, role: user.kind, ip },
				{
					action: 'auth.password_ok',
					subject: `user:${user.id}`,
					details: { next: enrolled ? 'totp' : 'enrol' }
				}
			);
		});
		return { kind: 'second_factor', pendingToken, expiresAt, enrol: !enrolled, user };
	}
	const session = await startSession(db, user, ip, userAgent, now, 'password');
	return { kind: 'session', ...session, user, principal: toPrincipal(user, roles) };
}

/** A new session and its audit row, in the caller's transaction or one of its own. */
async function startSession(
	db: Db,
	user: { id: number; kind: AccountKind },
	ip: string,
	userAgent: string | null,
	now: Date,
	factor: string
) {
	const token = generateToken();
	const session = await inTransaction(db, async (trx) => {
		const created = await createSession(trx, token, user.id, user.kind, userAgent, now);
		await recordAudit(
			trx,
			{ userId: user.id, role: user.kind, ip },
			{ action: 'auth.login', subject: `user:${user.id}`, details: { factor } }
		);
		return created;
	});
	return { token, expiresAt: session.expiresAt };
}

function inTransaction<T>(db: Db, run: (trx: Db) => Promise<T>): Promise<T> {
	return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** The pending sign-in of a cookie, while it lasts. */
export async function findPendingLogin(db: Db, pendingToken: string | undefined, now = new Date()) {
	if (!pendingToken) return null;
	const row = await findLivePendingLogin(db, idOfToken(pendingToken), now);
	if (!row || row.disabledAt) return null;
	return row;
}

type Pending = NonNullable<Awaited<ReturnType<typeof findPendingLogin>>>;

/**
 * Counts a code of the second step before it is checked: 5 in 15 minutes per account, whatever
 * the IP, so guessing 6 digits is hopeless. Refused with `throttled` past the limit, at `field`
 * (the form's code field) when given.
 */
export async function countCodeAttempt(
	db: Db,
	userId: number,
	now: Date,
	options: { auditIp?: string; field?: string } = {}
): Promise<void> {
	const verdict = await consume(db, secondFactorLimits(userId), now);
	if (verdict.allowed) return;
	if (options.auditIp !== undefined)
		await recordAudit(
			db,
			{ userId, role: 'anonymous', ip: options.auditIp },
			{ action: 'auth.second_factor_throttled', subject: `user:${userId}` }
		);
	throw authErrors.error('throttled', { retryAt: verdict.retryAt, field: options.field });
}

/** After an accepted code the account's count starts again. */
export async function clearCodeAttempts(db: Db, userId: number): Promise<void> {
	await reset(
		db,
		secondFactorLimits(userId).map((l) => l.key)
	);
}

/**
 * The second step: a code from the app (each accepted once) or an unused recovery code. Attempts
 * are counted per account before the code is checked, 5 in 15 minutes, so guessing 6 digits is
 * hopeless. The pending sign-in ends and the session starts in the same transaction as the code
 * is used up and the audit row written.
 */
export async function completeSecondFactor(
	db: Db,
	pendingToken: string | undefined,
	code: string,
	ip: string,
	now = new Date()
) {
	const pending = await pendingStep(db, pendingToken, ip, now, (p) => !!p.hasTotp);
	const session = await db.transaction().execute(async (trx) => {
		const factor = await useSecondFactorCode(trx, pending.userId, code, now);
		if (!factor) return null;
		await endPendingLogin(trx, pending);
		return startSession(trx, userOf(pending), ip, pending.userAgent, now, factor);
	});
	if (!session) {
		await recordAudit(
			db,
			{ userId: pending.userId, role: 'anonymous', ip },
			{ action: 'auth.second_factor_failed', subject: `user:${pending.userId}` }
		);
		throw authErrors.error('bad_code');
	}
	return signedIn(db, pending, session);
}

/** The pending sign-in a second step may finish, its code attempt counted; else `pending_expired`. */
async function pendingStep(
	db: Db,
	pendingToken: string | undefined,
	ip: string,
	now: Date,
	usable: (pending: Pending) => boolean
): Promise<Pending> {
	const pending = await findPendingLogin(db, pendingToken, now);
	if (!pending || !usable(pending)) throw authErrors.error('pending_expired');
	await countCodeAttempt(db, pending.userId, now, { auditIp: ip });
	return pending;
}

/** After the second step: the attempts start again, and the page learns who signed in. */
async function signedIn<T extends object>(db: Db, pending: Pending, result: T) {
	await clearCodeAttempts(db, pending.userId);
	return { ...result, userId: pending.userId, principal: await principalOf(db, pending.userId) };
}

function userOf(pending: Pending) {
	return { id: pending.userId, kind: pending.kind };
}

/** Ends the pending sign-in, once: a second tab with the same cookie finds it gone. */
async function endPendingLogin(trx: Db, pending: Pending): Promise<void> {
	if (!(await deletePendingLogin(trx, pending.id))) throw authErrors.error('pending_expired');
}

/** The key offered to a person who must enrol before their first session; the same on reload. */
export async function enrolmentSecret(db: Db, pending: Pending): Promise<string> {
	if (pending.enrolSecret) return pending.enrolSecret;
	return keepEnrolSecret(db, pending.id, newTotpSecret());
}

/**
 * Enrolment during sign-in, for an account that needs a second factor and has none: the password
 * was right, the code proves the app holds the key. Refused when the account already has a key,
 * so a stolen password cannot replace it.
 */
export async function completeEnrolment(
	db: Db,
	pendingToken: string | undefined,
	code: string,
	ip: string,
	now = new Date()
) {
	const pending = await pendingStep(
		db,
		pendingToken,
		ip,
		now,
		(p) => !p.hasTotp && !!p.enrolSecret
	);
	const secret = pending.enrolSecret!;
	const step = matchingStep(secret, code, now);
	if (step === null) throw authErrors.error('bad_code');
	const result = await db.transaction().execute(async (trx) => {
		await endPendingLogin(trx, pending);
		const recoveryCodes = await saveTotp(trx, pending.userId, secret, step, { replace: false });
		if (!recoveryCodes) throw authErrors.error('pending_expired');
		await recordAudit(
			trx,
			{ userId: pending.userId, role: pending.kind, ip },
			{ action: 'auth.totp_enrolled', subject: `user:${pending.userId}` }
		);
		const session = await startSession(
			trx,
			userOf(pending),
			ip,
			pending.userAgent,
			now,
			'totp_enrolment'
		);
		return { ...session, recoveryCodes };
	});
	return signedIn(db, pending, result);
}

export async function endAllSessions(db: Db, userId: number, actor: Actor): Promise<number> {
	return db.transaction().execute(async (trx) => {
		const ended = await deleteSessionsOfUser(trx, userId);
		await recordAudit(trx, actor, {
			action: 'auth.sessions_ended',
			subject: `user:${userId}`,
			details: { ended }
		});
		return ended;
	});
}

/** Ends one session; the audit row commits with the deletion, or neither does. */
export async function logout(db: Db, sessionId: string, actor: Actor): Promise<void> {
	await db.transaction().execute(async (trx) => {
		if ((await deleteSession(trx, sessionId)) === 1)
			await recordAudit(trx, actor, { action: 'auth.logout', subject: `user:${actor.userId}` });
	});
	forgetCachedSession(sessionId);
}
