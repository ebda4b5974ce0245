import type { Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { AccountKind } from '$lib/server/db/schema';
import { recordAudit, type Actor } from '$lib/server/audit/audit.service';
import { authErrors } from './auth.errors';
import { clearCodeAttempts, countCodeAttempt } from './login.service';
import { requiresSecondFactor } from './session';
import {
	hasTotp,
	isTotpSecret,
	matchingStep,
	recoveryCodesLeft,
	removeTotp,
	replaceRecoveryCodes,
	saveTotp,
	useSecondFactorCode,
	useTotpCode
} from './totp';
import { findRoles } from './user.repository';

/** What the account's security page shows: whether the second step is on, needed, and codes left. */
export async function secondFactorStatus(db: Db, userId: number) {
	const [enrolled, roles] = await Promise.all([hasTotp(db, userId), findRoles(db, userId)]);
	return {
		enrolled,
		required: requiresSecondFactor(roles),
		recoveryLeft: enrolled ? await recoveryCodesLeft(db, userId) : 0
	};
}

/** The account's own change to its second factor, in the change's transaction. */
async function auditOwnChange(trx: Db, actor: Actor & { userId: number }, action: string) {
	await recordAudit(trx, actor, { action, subject: `user:${actor.userId}` });
}

/**
 * Runs `change` in a transaction once the code attempt is counted; a null answer (the code was not
 * accepted) is `bad_code`, anything else ends the account's count of attempts. Refusals name
 * `field`, the form's code field.
 */
async function withCode<T>(
	db: Db,
	userId: number,
	now: Date,
	change: (trx: Transaction<Database>) => Promise<T | null>,
	field = 'code'
): Promise<T> {
	await countCodeAttempt(db, userId, now, { field });
	const done = await db.transaction().execute(change);
	if (done === null) throw authErrors.error('bad_code', { field });
	await clearCodeAttempts(db, userId);
	return done;
}

/** Who changes their own second factor, from where. */
export interface OwnAccount {
	userId: number;
	kind: AccountKind;
	ip: string;
}

/** Switches the second factor on from the account page; the code proves the app holds `secret`. */
export async function enableTotp(
	db: Db,
	{ userId, kind, ip }: OwnAccount,
	secret: string,
	code: string,
	now = new Date()
): Promise<string[]> {
	// The key travelled through the person's own form; one not made by newTotpSecret is refused.
	if (!isTotpSecret(secret)) throw authErrors.error('bad_code');
	return withCode(db, userId, now, async (trx) => {
		const step = matchingStep(secret, code, now);
		if (step === null) return null;
		const saved = await saveTotp(trx, userId, secret, step, { replace: false });
		if (saved) await auditOwnChange(trx, { userId, role: kind, ip }, 'auth.totp_enrolled');
		return saved;
	});
}

/**
 * Ten new recovery codes for an account with the second step, confirmed with a code from the app
 * (not a recovery code: whoever holds only those must not mint more). The old ones stop working.
 * The security page asks for this code in a field of its own, `renew_code`.
 */
export async function renewRecoveryCodes(
	db: Db,
	{ userId, kind, ip }: OwnAccount,
	code: string,
	now = new Date()
): Promise<string[]> {
	return withCode(
		db,
		userId,
		now,
		async (trx) => {
			if (!(await useTotpCode(trx, userId, code, now))) return null;
			const fresh = await replaceRecoveryCodes(trx, userId);
			await auditOwnChange(trx, { userId, role: kind, ip }, 'auth.recovery_codes_renewed');
			return fresh;
		},
		'renew_code'
	);
}

/** Switches it off again, for an account that does not need it, with a current code. */
export async function disableTotp(
	db: Db,
	{ userId, kind, ip }: OwnAccount,
	code: string,
	now = new Date()
): Promise<void> {
	if (requiresSecondFactor(await findRoles(db, userId))) throw authErrors.error('totp_required');
	await withCode(db, userId, now, async (trx) => {
		if (!(await useSecondFactorCode(trx, userId, code, now))) return null;
		await removeTotp(trx, userId);
		await auditOwnChange(trx, { userId, role: kind, ip }, 'auth.totp_disabled');
		return true;
	});
}
