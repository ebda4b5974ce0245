import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { authErrors } from './auth.errors';
import { sha256Hex } from '$lib/server/crypto/hash';
import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import { recordAudit, type Actor } from '$lib/server/audit/audit.service';
import { checkPasswordStrength, hashPassword, verifyPassword } from './password';
import {
	blockedUntil,
	clearFailures,
	recordFailure,
	resetRequestLimits,
	secondFactorLimits,
	throttleKeys
} from './throttle';
import {
	createSession,
	generateSessionToken,
	invalidateAllSessions,
	requiresSecondFactor
} from './session';
import { findRoles, findUserByEmail } from './user.repository';
import { insertOutboxRows, renderForOutbox } from '$lib/server/notify/email.service';
import { consume, refund, reset } from '$lib/server/ratelimit/rate-limit';
import {
	hasTotp,
	matchingStep,
	newTotpSecret,
	replaceRecoveryCodes,
	saveTotp,
	useRecoveryCode,
	useTotpCode
} from './totp';

const RESET_LINK_MS = 60 * 60 * 1000;
/** Time to type the code from the app after the password, or to enrol. */
export const PENDING_LOGIN_MS = 10 * 60 * 1000;

export { authErrors, type AuthErrorCode } from './auth.errors';

const DUMMY_HASH = await hashPassword(
	'not-a-real-password-' +
		encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(10)))
);

const digest = sha256Hex;

export function normaliseActivationCode(code: string): string {
	return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/**
 * A new activation code for the letter about a case. Only its hash is kept, so each call issues
 * a fresh code and retires the earlier ones: the letter printed last is the one that works.
 */

export interface ActivationInput {
	vNumber: string;
	birthDate: string;
	code: string;
	email: string;
	password: string;
	language: string;
}

/** Creates the applicant's account from the letter's code; all their cases (same V-number) come with it. */
export async function activateAccount(
	db: Db,
	input: ActivationInput,
	ip: string,
	now = new Date()
) {
	const keys = throttleKeys('activate', input.vNumber, ip);
	const until = await blockedUntil(db, keys, now);
	if (until) throw authErrors.error('throttled', { retryAt: until });
	const problem = checkPasswordStrength(input.password);
	if (problem) throw authErrors.error(problem);

	const match = await db
		.selectFrom('activation_code')
		.innerJoin('case', 'case.id', 'activation_code.case_id')
		.innerJoin('applicant', 'applicant.id', 'case.applicant_id')
		.select(['activation_code.id as codeId', 'applicant.id as applicantId', 'applicant.name'])
		.where('applicant.v_number', '=', input.vNumber.trim())
		.where('applicant.birth_date', '=', input.birthDate)
		.where('activation_code.code_hash', '=', digest(normaliseActivationCode(input.code)))
		.where('activation_code.used_at', 'is', null)
		.where('activation_code.replaced_at', 'is', null)
		.where('activation_code.expires_at', '>', now)
		.executeTakeFirst();
	if (!match) {
		await recordFailure(db, keys, now);
		await recordAudit(
			db,
			{ userId: null, role: 'anonymous', ip },
			{ action: 'account.activation_failed', subject: `v:${input.vNumber.slice(0, 10)}` }
		);
		throw authErrors.error('activation_failed');
	}
	const passwordHash = await hashPassword(input.password);
	return db
		.transaction()
		.execute(async (trx) => {
			// Single use, even when two tabs submit the same code at once.
			const claimed = await trx
				.updateTable('activation_code')
				.set({ used_at: now })
				.where('id', '=', match.codeId)
				.where('used_at', 'is', null)
				.executeTakeFirst();
			if (claimed.numUpdatedRows === 0n) throw authErrors.error('activation_failed');
			const existing = await trx
				.selectFrom('app_user')
				.select('id')
				.where('applicant_id', '=', match.applicantId)
				.executeTakeFirst();
			if (existing) throw authErrors.error('already_activated');
			const taken = await trx
				.selectFrom('app_user')
				.select('id')
				.where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.trim().toLowerCase()))
				.executeTakeFirst();
			if (taken) throw authErrors.error('email_taken');
			const user = await trx
				.insertInto('app_user')
				.values({
					email: input.email.trim(),
					password_hash: passwordHash,
					display_name: match.name,
					kind: 'applicant',
					applicant_id: match.applicantId,
					language: input.language
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			await recordAudit(
				trx,
				{ userId: user.id, role: 'applicant', ip },
				{ action: 'account.activated', subject: `user:${user.id}` }
			);
			return { userId: user.id };
		})
		.then(async (result) => {
			await clearFailures(db, keys);
			return result;
		});
}

export type PasswordVerifier = (hash: string, password: string) => Promise<boolean>;

export type LoginResult =
	| { kind: 'session'; token: string; expiresAt: Date; user: User }
	| { kind: 'second_factor'; pendingToken: string; expiresAt: Date; enrol: boolean; user: User };

type User = NonNullable<Awaited<ReturnType<typeof findUserByEmail>>>;

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
		const pendingToken = generateSessionToken();
		const expiresAt = new Date(now.getTime() + PENDING_LOGIN_MS);
		await db.transaction().execute(async (trx) => {
			// One pending sign-in per account: a new password entry replaces the older one.
			await trx.deleteFrom('pending_login').where('user_id', '=', user.id).execute();
			await trx
				.insertInto('pending_login')
				.values({
					id: digest(pendingToken),
					user_id: user.id,
					created_at: now,
					expires_at: expiresAt,
					user_agent: userAgent?.slice(0, 300) ?? null
				})
				.execute();
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
	return { kind: 'session', ...session, user };
}

async function startSession(
	db: Db | Transaction<Database>,
	user: { id: number; kind: User['kind'] },
	ip: string,
	userAgent: string | null,
	now: Date,
	factor: string
) {
	const token = generateSessionToken();
	const run = async (trx: Transaction<Database>) => {
		const session = await createSession(trx, token, user.id, user.kind, userAgent, now);
		await recordAudit(
			trx,
			{ userId: user.id, role: user.kind, ip },
			{ action: 'auth.login', subject: `user:${user.id}`, details: { factor } }
		);
		return session;
	};
	const session = db.isTransaction
		? await run(db as Transaction<Database>)
		: await (db as Db).transaction().execute(run);
	return { token, expiresAt: session.expiresAt };
}

/** The pending sign-in of a cookie, while it lasts. */
export async function findPendingLogin(db: Db, pendingToken: string | undefined, now = new Date()) {
	if (!pendingToken) return null;
	const row = await db
		.selectFrom('pending_login')
		.innerJoin('app_user', 'app_user.id', 'pending_login.user_id')
		.select([
			'pending_login.id',
			'pending_login.user_id as userId',
			'pending_login.enrol_secret as enrolSecret',
			'pending_login.user_agent as userAgent',
			'app_user.email',
			'app_user.kind',
			'app_user.display_name as displayName',
			'app_user.disabled_at as disabledAt',
			'app_user.applicant_id as applicantId'
		])
		.select((eb) =>
			eb
				.exists(
					eb
						.selectFrom('user_totp')
						.select('user_totp.user_id')
						.whereRef('user_totp.user_id', '=', 'app_user.id')
				)
				.as('hasTotp')
		)
		.where('pending_login.id', '=', digest(pendingToken))
		.where('pending_login.expires_at', '>', now)
		.executeTakeFirst();
	if (!row || row.disabledAt) return null;
	return row;
}

type Pending = NonNullable<Awaited<ReturnType<typeof findPendingLogin>>>;

async function countCodeAttempt(db: Db, pending: Pending, ip: string, now: Date) {
	const verdict = await consume(db, secondFactorLimits(pending.userId), now);
	if (!verdict.allowed) {
		await recordAudit(
			db,
			{ userId: pending.userId, role: 'anonymous', ip },
			{ action: 'auth.second_factor_throttled', subject: `user:${pending.userId}` }
		);
		throw authErrors.error('throttled', { retryAt: verdict.retryAt });
	}
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
	const pending = await findPendingLogin(db, pendingToken, now);
	if (!pending || !pending.hasTotp) throw authErrors.error('pending_expired');
	await countCodeAttempt(db, pending, ip, now);
	const recovery = !/^\d{6}$/.test(code.replace(/\s/g, ''));
	const session = await db.transaction().execute(async (trx) => {
		const ok = recovery
			? await useRecoveryCode(trx, pending.userId, code, now)
			: await useTotpCode(trx, pending.userId, code, now);
		if (!ok) return null;
		const ended = await trx
			.deleteFrom('pending_login')
			.where('id', '=', pending.id)
			.executeTakeFirst();
		if (ended.numDeletedRows !== 1n) throw authErrors.error('pending_expired');
		return startSession(
			trx,
			{ id: pending.userId, kind: pending.kind },
			ip,
			pending.userAgent,
			now,
			recovery ? 'recovery_code' : 'totp'
		);
	});
	if (!session) {
		await recordAudit(
			db,
			{ userId: pending.userId, role: 'anonymous', ip },
			{ action: 'auth.second_factor_failed', subject: `user:${pending.userId}` }
		);
		throw authErrors.error('bad_code');
	}
	await reset(
		db,
		secondFactorLimits(pending.userId).map((l) => l.key)
	);
	return { ...session, userId: pending.userId };
}

/** The key offered to a person who must enrol before their first session; the same on reload. */
export async function enrolmentSecret(db: Db, pending: Pending): Promise<string> {
	if (pending.enrolSecret) return pending.enrolSecret;
	const secret = newTotpSecret();
	const row = await db
		.updateTable('pending_login')
		.set({ enrol_secret: sql<string>`coalesce(enrol_secret, ${secret})` })
		.where('id', '=', pending.id)
		.returning('enrol_secret')
		.executeTakeFirstOrThrow();
	return row.enrol_secret!;
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
	const pending = await findPendingLogin(db, pendingToken, now);
	if (!pending || pending.hasTotp || !pending.enrolSecret)
		throw authErrors.error('pending_expired');
	await countCodeAttempt(db, pending, ip, now);
	const step = matchingStep(pending.enrolSecret, code, now);
	if (step === null) throw authErrors.error('bad_code');
	const result = await db.transaction().execute(async (trx) => {
		const ended = await trx
			.deleteFrom('pending_login')
			.where('id', '=', pending.id)
			.executeTakeFirst();
		if (ended.numDeletedRows !== 1n) throw authErrors.error('pending_expired');
		const recoveryCodes = await saveTotp(trx, pending.userId, pending.enrolSecret!, step, {
			replace: false
		});
		if (!recoveryCodes) throw authErrors.error('pending_expired');
		await recordAudit(
			trx,
			{ userId: pending.userId, role: pending.kind, ip },
			{ action: 'auth.totp_enrolled', subject: `user:${pending.userId}` }
		);
		const session = await startSession(
			trx,
			{ id: pending.userId, kind: pending.kind },
			ip,
			pending.userAgent,
			now,
			'totp_enrolment'
		);
		return { ...session, recoveryCodes };
	});
	await reset(
		db,
		secondFactorLimits(pending.userId).map((l) => l.key)
	);
	return { ...result, userId: pending.userId };
}

/**
 * Sends a reset link when the address belongs to an active account, and says nothing either way.
 * Both cases take the same path: the same token is made and hashed, the same message rendered, and
 * the same statements run; they insert a row or none. A new link retires the older ones.
 */
export async function requestPasswordReset(
	db: Db,
	email: string,
	origin: string,
	lang: string,
	ip: string,
	now = new Date()
) {
	const address = email.trim().toLowerCase();
	const verdict = await consume(db, resetRequestLimits(address, ip), now);
	if (!verdict.allowed) throw authErrors.error('throttled', { retryAt: verdict.retryAt });
	const token = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
	const tokenHash = digest(token);
	await db.transaction().execute(async (trx) => {
		const user = await trx
			.selectFrom('app_user')
			.select(['id', 'email', 'display_name'])
			.where((eb) => eb(eb.fn('lower', ['email']), '=', address))
			.where('disabled_at', 'is', null)
			.forUpdate()
			.executeTakeFirst();
		const userId = user?.id ?? -1;
		const message = await renderForOutbox('password_reset', lang, {
			link: `${origin}/auth/reset/${token}`,
			name: user?.display_name ?? ''
		});
		await trx
			.updateTable('password_reset')
			.set({ used_at: now })
			.where('user_id', '=', userId)
			.where('used_at', 'is', null)
			.execute();
		await trx
			.insertInto('password_reset')
			.columns(['id', 'user_id', 'created_at', 'expires_at'])
			.expression((eb) =>
				eb
					.selectFrom('app_user')
					.select([
						sql<string>`${tokenHash}::text`.as('id'),
						'id as user_id',
						sql<Date>`${now}::timestamptz`.as('created_at'),
						sql<Date>`${new Date(now.getTime() + RESET_LINK_MS)}::timestamptz`.as('expires_at')
					])
					.where('id', '=', userId)
			)
			.execute();
		await insertOutboxRows(trx, message, userId);
		await recordAudit(
			trx,
			{ userId: user?.id ?? null, role: 'anonymous', ip },
			{
				action: 'auth.reset_requested',
				subject: user ? `user:${user.id}` : `email:${address.slice(0, 254)}`
			}
		);
	});
}

export async function resetPassword(
	db: Db,
	token: string,
	password: string,
	ip: string,
	now = new Date()
) {
	const problem = checkPasswordStrength(password);
	if (problem) throw authErrors.error(problem);
	const passwordHash = await hashPassword(password);
	await db.transaction().execute(async (trx) => {
		const reset = await trx
			.updateTable('password_reset')
			.set({ used_at: now })
			.where('id', '=', digest(token))
			.where('used_at', 'is', null)
			.where('expires_at', '>', now)
			.returning('user_id')
			.executeTakeFirst();
		if (!reset) throw authErrors.error('reset_invalid');
		await trx
			.updateTable('app_user')
			.set({ password_hash: passwordHash })
			.where('id', '=', reset.user_id)
			.execute();
		await trx
			.updateTable('password_reset')
			.set({ used_at: now })
			.where('user_id', '=', reset.user_id)
			.where('used_at', 'is', null)
			.execute();
		await trx.deleteFrom('user_session').where('user_id', '=', reset.user_id).execute();
		await trx.deleteFrom('pending_login').where('user_id', '=', reset.user_id).execute();
		await recordAudit(
			trx,
			{ userId: reset.user_id, role: 'anonymous', ip },
			{ action: 'auth.password_reset', subject: `user:${reset.user_id}` }
		);
	});
}

export async function isResetTokenUsable(
	db: Db,
	token: string,
	now = new Date()
): Promise<boolean> {
	const row = await db
		.selectFrom('password_reset')
		.select('id')
		.where('id', '=', digest(token))
		.where('used_at', 'is', null)
		.where('expires_at', '>', now)
		.executeTakeFirst();
	return !!row;
}

export async function endAllSessions(db: Db, userId: number, actor: Actor): Promise<number> {
	return db.transaction().execute(async (trx) => {
		const ended = await invalidateAllSessions(trx, userId);
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
		const ended = await trx
			.deleteFrom('user_session')
			.where('id', '=', sessionId)
			.executeTakeFirst();
		if (ended.numDeletedRows === 1n)
			await recordAudit(trx, actor, { action: 'auth.logout', subject: `user:${actor.userId}` });
	});
}

/** Switches the second factor on from the account page; the code proves the app holds `secret`. */
export async function enableTotp(
	db: Db,
	userId: number,
	kind: User['kind'],
	secret: string,
	code: string,
	ip: string,
	now = new Date()
): Promise<string[]> {
	const verdict = await consume(db, secondFactorLimits(userId), now);
	if (!verdict.allowed) throw authErrors.error('throttled', { retryAt: verdict.retryAt });
	const step = matchingStep(secret, code, now);
	if (step === null) throw authErrors.error('bad_code');
	const codes = await db.transaction().execute(async (trx) => {
		const saved = await saveTotp(trx, userId, secret, step, { replace: false });
		if (saved)
			await recordAudit(
				trx,
				{ userId, role: kind, ip },
				{ action: 'auth.totp_enrolled', subject: `user:${userId}` }
			);
		return saved;
	});
	if (!codes) throw authErrors.error('bad_code');
	await reset(
		db,
		secondFactorLimits(userId).map((l) => l.key)
	);
	return codes;
}

/**
 * Ten new recovery codes for an account with the second step, confirmed with a code from the app
 * (not a recovery code: whoever holds only those must not mint more). The old ones stop working.
 */
export async function renewRecoveryCodes(
	db: Db,
	userId: number,
	kind: User['kind'],
	code: string,
	ip: string,
	now = new Date()
): Promise<string[]> {
	const verdict = await consume(db, secondFactorLimits(userId), now);
	if (!verdict.allowed) throw authErrors.error('throttled', { retryAt: verdict.retryAt });
	const codes = await db.transaction().execute(async (trx) => {
		if (!(await useTotpCode(trx, userId, code, now))) return null;
		const fresh = await replaceRecoveryCodes(trx, userId);
		await recordAudit(
			trx,
			{ userId, role: kind, ip },
			{ action: 'auth.recovery_codes_renewed', subject: `user:${userId}` }
		);
		return fresh;
	});
	if (!codes) throw authErrors.error('bad_code');
	await reset(
		db,
		secondFactorLimits(userId).map((l) => l.key)
	);
	return codes;
}

/** Switches it off again, for an account that does not need it, with a current code. */
export async function disableTotp(
	db: Db,
	userId: number,
	kind: User['kind'],
	code: string,
	ip: string,
	now = new Date()
): Promise<void> {
	const verdict = await consume(db, secondFactorLimits(userId), now);
	if (!verdict.allowed) throw authErrors.error('throttled', { retryAt: verdict.retryAt });
	const done = await db.transaction().execute(async (trx) => {
		const recovery = !/^\d{6}$/.test(code.replace(/\s/g, ''));
		const ok = recovery
			? await useRecoveryCode(trx, userId, code, now)
			: await useTotpCode(trx, userId, code, now);
		if (!ok) return false;
		await trx.deleteFrom('user_totp').where('user_id', '=', userId).execute();
		await trx.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
		await recordAudit(
			trx,
			{ userId, role: kind, ip },
			{ action: 'auth.totp_disabled', subject: `user:${userId}` }
		);
		return true;
	});
	if (!done) throw authErrors.error('bad_code');
	await reset(
		db,
		secondFactorLimits(userId).map((l) => l.key)
	);
}
