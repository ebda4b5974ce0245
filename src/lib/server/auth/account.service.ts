import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Db } from '$lib/server/db';
import { recordAudit, type Actor } from '$lib/server/audit/audit.service';
import { checkPasswordStrength, hashPassword, verifyPassword, type PasswordProblem } from './password';
import { blockedUntil, clearFailures, recordFailure, throttleKeys } from './throttle';
import { createSession, generateSessionToken, invalidateAllSessions } from './session';
import { findUserByEmail } from './user.repository';
import { queueEmail } from '$lib/server/notify/email.service';

const ACTIVATION_CODE_DAYS = 30;
const RESET_LINK_MS = 60 * 60 * 1000;
// Letters and digits that cannot be mistaken for one another on a printed letter.
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export type AuthErrorCode =
	| 'bad_credentials'
	| 'throttled'
	| 'activation_failed'
	| 'already_activated'
	| 'email_taken'
	| 'reset_invalid'
	| PasswordProblem;

export class AuthError extends Error {
	constructor(
		readonly code: AuthErrorCode,
		readonly retryAt: Date | null = null
	) {
		super(code);
	}
}

const DUMMY_HASH = await hashPassword('not-a-real-password-' + encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(10))));

function digest(value: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(value)));
}

export function normaliseActivationCode(code: string): string {
	return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function newActivationCode(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(12));
	const chars = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
	return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}

/**
 * A new activation code for the letter about a case. Only its hash is kept, so each call issues
 * a fresh code and retires the earlier ones: the letter printed last is the one that works.
 */
export async function issueActivationCode(db: Db, reference: string, now = new Date()) {
	return db.transaction().execute(async (trx) => {
		const found = await trx
			.selectFrom('case')
			.innerJoin('applicant', 'applicant.id', 'case.applicant_id')
			.leftJoin('app_user', 'app_user.applicant_id', 'applicant.id')
			.select(['case.id', 'case.reference', 'applicant.v_number', 'applicant.name', 'applicant.language', 'app_user.id as userId'])
			.where('case.reference', '=', reference)
			.forUpdate('case')
			.executeTakeFirst();
		if (!found) return null;
		await trx.updateTable('activation_code').set({ replaced_at: now }).where('case_id', '=', found.id).where('used_at', 'is', null).where('replaced_at', 'is', null).execute();
		const code = newActivationCode();
		const expiresAt = new Date(now.getTime() + ACTIVATION_CODE_DAYS * 24 * 60 * 60 * 1000);
		await trx.insertInto('activation_code').values({ case_id: found.id, code_hash: digest(normaliseActivationCode(code)), expires_at: expiresAt }).execute();
		return { reference: found.reference, vNumber: found.v_number, name: found.name, language: found.language, code, expiresAt, alreadyActivated: found.userId !== null };
	});
}

export interface ActivationInput {
	vNumber: string;
	birthDate: string;
	code: string;
	email: string;
	password: string;
	language: string;
}

/** Creates the applicant's account from the letter's code; all their cases (same V-number) come with it. */
export async function activateAccount(db: Db, input: ActivationInput, ip: string, now = new Date()) {
	const keys = throttleKeys('activate', input.vNumber, ip);
	const until = await blockedUntil(db, keys, now);
	if (until) throw new AuthError('throttled', until);
	const problem = checkPasswordStrength(input.password);
	if (problem) throw new AuthError(problem);

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
		await recordAudit(db, { userId: null, role: 'anonymous', ip }, { action: 'account.activation_failed', subject: `v:${input.vNumber.slice(0, 10)}` });
		throw new AuthError('activation_failed');
	}
	const passwordHash = await hashPassword(input.password);
	return db.transaction().execute(async (trx) => {
		// Single use, even when two tabs submit the same code at once.
		const claimed = await trx.updateTable('activation_code').set({ used_at: now }).where('id', '=', match.codeId).where('used_at', 'is', null).executeTakeFirst();
		if (claimed.numUpdatedRows === 0n) throw new AuthError('activation_failed');
		const existing = await trx.selectFrom('app_user').select('id').where('applicant_id', '=', match.applicantId).executeTakeFirst();
		if (existing) throw new AuthError('already_activated');
		const taken = await trx.selectFrom('app_user').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.trim().toLowerCase())).executeTakeFirst();
		if (taken) throw new AuthError('email_taken');
		const user = await trx
			.insertInto('app_user')
			.values({ email: input.email.trim(), password_hash: passwordHash, display_name: match.name, kind: 'applicant', applicant_id: match.applicantId, language: input.language })
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, { userId: user.id, role: 'applicant', ip }, { action: 'account.activated', subject: `user:${user.id}` });
		return { userId: user.id };
	}).then(async (result) => {
		await clearFailures(db, keys);
		return result;
	});
}

/** Checks the password and starts a new session (a new id at every login). */
export async function login(db: Db, email: string, password: string, ip: string, userAgent: string | null, now = new Date()) {
	const keys = throttleKeys('login', email, ip);
	const until = await blockedUntil(db, keys, now);
	if (until) {
		await recordAudit(db, { userId: null, role: 'anonymous', ip }, { action: 'auth.login_throttled', subject: `email:${email.trim().toLowerCase().slice(0, 254)}` });
		throw new AuthError('throttled', until);
	}
	const user = await findUserByEmail(db, email);
	// Verify against a real hash even for unknown e-mail addresses, so timing does not tell which exist.
	const ok = await verifyPassword(user?.password_hash ?? DUMMY_HASH, password);
	if (!user || !ok || user.disabled_at) {
		await recordFailure(db, keys, now);
		await recordAudit(db, { userId: user?.id ?? null, role: 'anonymous', ip }, { action: 'auth.login_failed', subject: `email:${email.trim().toLowerCase().slice(0, 254)}` });
		throw new AuthError('bad_credentials');
	}
	await clearFailures(db, keys);
	const token = generateSessionToken();
	const session = await createSession(db, token, user.id, user.kind, userAgent);
	await recordAudit(db, { userId: user.id, role: user.kind, ip }, { action: 'auth.login', subject: `user:${user.id}` });
	return { token, expiresAt: session.expiresAt, user };
}

/** Sends a reset link when the address belongs to an account; says nothing either way. */
export async function requestPasswordReset(db: Db, email: string, origin: string, lang: string, ip: string, now = new Date()) {
	const user = await findUserByEmail(db, email);
	if (!user || user.disabled_at) return;
	const token = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
	await db.transaction().execute(async (trx) => {
		await trx.insertInto('password_reset').values({ id: digest(token), user_id: user.id, expires_at: new Date(now.getTime() + RESET_LINK_MS) }).execute();
		await queueEmail(trx, { to: user.email, template: 'password_reset', lang, params: { link: `${origin}/auth/reset/${token}`, name: user.display_name } });
		await recordAudit(trx, { userId: user.id, role: 'anonymous', ip }, { action: 'auth.reset_requested', subject: `user:${user.id}` });
	});
}

export async function resetPassword(db: Db, token: string, password: string, ip: string, now = new Date()) {
	const problem = checkPasswordStrength(password);
	if (problem) throw new AuthError(problem);
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
		if (!reset) throw new AuthError('reset_invalid');
		await trx.updateTable('app_user').set({ password_hash: passwordHash }).where('id', '=', reset.user_id).execute();
		await trx.deleteFrom('user_session').where('user_id', '=', reset.user_id).execute();
		await recordAudit(trx, { userId: reset.user_id, role: 'anonymous', ip }, { action: 'auth.password_reset', subject: `user:${reset.user_id}` });
	});
}

export async function isResetTokenUsable(db: Db, token: string, now = new Date()): Promise<boolean> {
	const row = await db.selectFrom('password_reset').select('id').where('id', '=', digest(token)).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
	return !!row;
}

export async function endAllSessions(db: Db, userId: number, actor: Actor): Promise<number> {
	const ended = await invalidateAllSessions(db, userId);
	await recordAudit(db, actor, { action: 'auth.sessions_ended', subject: `user:${userId}`, details: { ended } });
	return ended;
}
