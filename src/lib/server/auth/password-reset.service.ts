import type { Db } from '$lib/server/db';
import { recordAudit } from '$lib/server/audit/audit.service';
import { queueRenderedToAccount, renderForOutbox } from '$lib/server/notify/email.service';
import { consume } from '$lib/server/ratelimit/rate-limit';
import { authErrors } from './auth.errors';
import { checkPasswordStrength, hashPassword } from './password';
import { resetRequestLimits } from './throttle';
import {
	claimResetLink,
	insertResetLinkIfUser,
	isResetLinkLive,
	retireResetLinks
} from './password-reset.repository';
import { endAllSignIns, generateToken, idOfToken } from './session';
import { lockActiveUserByEmail, updatePasswordHash } from './user.repository';

const RESET_LINK_MS = 60 * 60 * 1000;

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
	if (!verdict.allowed) throw authErrors.error('reset_throttled', { retryAt: verdict.retryAt });
	const token = generateToken();
	await db.transaction().execute(async (trx) => {
		const user = await lockActiveUserByEmail(trx, address);
		const userId = user?.id ?? -1;
		const message = await renderForOutbox('password_reset', lang, {
			link: `${origin}/auth/reset/${token}`,
			name: user?.display_name ?? ''
		});
		await retireResetLinks(trx, userId, now);
		await insertResetLinkIfUser(trx, {
			id: idOfToken(token),
			userId,
			now,
			expiresAt: new Date(now.getTime() + RESET_LINK_MS)
		});
		await queueRenderedToAccount(trx, message, userId);
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

/** A new password from a reset link: every session and pending sign-in of the account ends. */
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
		const userId = await claimResetLink(trx, idOfToken(token), now);
		if (userId === null) throw authErrors.error('reset_invalid');
		await updatePasswordHash(trx, userId, passwordHash);
		await retireResetLinks(trx, userId, now);
		await endAllSignIns(trx, userId);
		await recordAudit(
			trx,
			{ userId, role: 'anonymous', ip },
			{ action: 'auth.password_reset', subject: `user:${userId}` }
		);
	});
}

export async function isResetTokenUsable(
	db: Db,
	token: string,
	now = new Date()
): Promise<boolean> {
	return isResetLinkLive(db, idOfToken(token), now);
}
