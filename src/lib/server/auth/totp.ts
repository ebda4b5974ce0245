import { generateHOTP, createTOTPKeyURI } from '@oslojs/otp';
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { sha256Hex } from '$lib/server/crypto/hash';
import QRCode from 'qrcode';
import type { Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = 'Mijn Aanvraag';
// Without ambiguous characters, so a code written on paper reads back.
const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** 160 random bits, as RFC 4226 recommends, in base32 for authenticator apps. */
export function newTotpSecret(): string {
	return encodeBase32UpperCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
}

export function stepAt(now: Date): number {
	return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_S);
}

export function totpCode(secret: string, step: number): string {
	return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), TOTP_DIGITS);
}

/** The step whose code this is, allowing one step of clock drift either way; null when none. */
export function matchingStep(secret: string, code: string, now: Date): number | null {
	const clean = code.replace(/\s/g, '');
	if (!/^\d{6}$/.test(clean)) return null;
	const current = stepAt(now);
	for (const step of [current - 1, current, current + 1]) {
		if (totpCode(secret, step) === clean) return step;
	}
	return null;
}

export function totpUri(secret: string, account: string): string {
	return createTOTPKeyURI(
		ISSUER,
		account,
		decodeBase32IgnorePadding(secret),
		TOTP_PERIOD_S,
		TOTP_DIGITS
	);
}

/** The QR code as SVG markup made on the server: no script and no external image, so the CSP allows it inline. */
export function totpQrSvg(secret: string, account: string): Promise<string> {
	return QRCode.toString(totpUri(secret, account), {
		type: 'svg',
		errorCorrectionLevel: 'M',
		margin: 2
	});
}

/** The secret in groups of four, easier to type into an app. */
export function groupSecret(secret: string): string {
	return secret.match(/.{1,4}/g)!.join(' ');
}

export function normaliseRecoveryCode(code: string): string {
	return code.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function hashRecoveryCode(code: string): string {
	return sha256Hex(normaliseRecoveryCode(code));
}

/** Ten codes of 10 characters (about 49 bits each): too many to guess under the rate limit. */
export function newRecoveryCodes(): string[] {
	return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
		const bytes = crypto.getRandomValues(new Uint8Array(10));
		const chars = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
		return `${chars.slice(0, 5)}-${chars.slice(5)}`;
	});
}

/**
 * Makes `secret` the account's key and gives it fresh recovery codes; returns them, shown once.
 * Without `replace`, returns null when the account has a key already.
 */
export async function saveTotp(
	trx: Transaction<Database>,
	userId: number,
	secret: string,
	step: number,
	{ replace }: { replace: boolean }
): Promise<string[] | null> {
	if (replace) await trx.deleteFrom('user_totp').where('user_id', '=', userId).execute();
	const inserted = await trx
		.insertInto('user_totp')
		.values({ user_id: userId, secret, last_step: step })
		.onConflict((oc) => oc.column('user_id').doNothing())
		.returning('user_id')
		.executeTakeFirst();
	if (!inserted) return null;
	return replaceRecoveryCodes(trx, userId);
}

/** Ten new recovery codes in place of all earlier ones, used or not; returns them, shown once. */
export async function replaceRecoveryCodes(
	trx: Transaction<Database>,
	userId: number
): Promise<string[]> {
	await trx.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
	const codes = newRecoveryCodes();
	await trx
		.insertInto('recovery_code')
		.values(codes.map((c) => ({ user_id: userId, code_hash: hashRecoveryCode(c) })))
		.execute();
	return codes;
}

/**
 * Accepts a code of the account's key once: the key's last step only moves forward, in one
 * conditional update, so the same code (or an older one) sent twice, even at the same moment,
 * is accepted once.
 */
export async function useTotpCode(
	db: Db | Transaction<Database>,
	userId: number,
	code: string,
	now: Date
): Promise<boolean> {
	const row = await db
		.selectFrom('user_totp')
		.select(['secret'])
		.where('user_id', '=', userId)
		.executeTakeFirst();
	if (!row) return false;
	const step = matchingStep(row.secret, code, now);
	if (step === null) return false;
	const claimed = await db
		.updateTable('user_totp')
		.set({ last_step: step })
		.where('user_id', '=', userId)
		.where('last_step', '<', step)
		.executeTakeFirst();
	return claimed.numUpdatedRows === 1n;
}

export async function useRecoveryCode(
	db: Db | Transaction<Database>,
	userId: number,
	code: string,
	now: Date
): Promise<boolean> {
	const claimed = await db
		.updateTable('recovery_code')
		.set({ used_at: now })
		.where('user_id', '=', userId)
		.where('code_hash', '=', hashRecoveryCode(code))
		.where('used_at', 'is', null)
		.executeTakeFirst();
	return claimed.numUpdatedRows === 1n;
}

export async function hasTotp(db: Db | Transaction<Database>, userId: number): Promise<boolean> {
	return !!(await db
		.selectFrom('user_totp')
		.select('user_id')
		.where('user_id', '=', userId)
		.executeTakeFirst());
}

export async function recoveryCodesLeft(db: Db, userId: number): Promise<number> {
	const row = await db
		.selectFrom('recovery_code')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('user_id', '=', userId)
		.where('used_at', 'is', null)
		.executeTakeFirstOrThrow();
	return Number(row.n);
}
