import { sha256Hex } from '$lib/server/crypto/hash';
import type { Db } from '$lib/server/db';
import { recordAudit } from '$lib/server/audit/audit.service';
import { authErrors } from './auth.errors';
import { checkPasswordStrength, hashPassword } from './password';
import { blockedUntil, clearFailures, recordFailure, throttleKeys } from './throttle';
import { claimActivationCode, findLiveActivationCode } from './activation.repository';
import { findClashingAccounts, insertUser } from './user.repository';

export function normaliseActivationCode(code: string): string {
	return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
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

	const match = await findLiveActivationCode(db, {
		vNumber: input.vNumber.trim(),
		birthDate: input.birthDate,
		codeHash: sha256Hex(normaliseActivationCode(input.code)),
		now
	});
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
	const result = await db.transaction().execute(async (trx) => {
		// Single use, even when two tabs submit the same code at once.
		if (!(await claimActivationCode(trx, match.codeId, now)))
			throw authErrors.error('activation_failed');
		const clashes = await findClashingAccounts(trx, match.applicantId, input.email);
		if (clashes.some((account) => account.applicant_id === match.applicantId))
			throw authErrors.error('already_activated');
		if (clashes.length > 0) throw authErrors.error('email_taken');
		const userId = await insertUser(trx, {
			email: input.email.trim(),
			passwordHash,
			displayName: match.name,
			kind: 'applicant',
			applicantId: match.applicantId,
			language: input.language
		});
		await recordAudit(
			trx,
			{ userId, role: 'applicant', ip },
			{ action: 'account.activated', subject: `user:${userId}` }
		);
		return { userId };
	});
	await clearFailures(db, keys);
	return result;
}
