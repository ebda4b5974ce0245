import { generateHOTP, createTOTPKeyURI } from '@oslojs/otp';
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { sha256Hex } from '$lib/server/crypto/hash';
import QRCode from 'qrcode';
import type { Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import {
	advanceTotpStep,
	claimRecoveryCode,
	countUnusedRecoveryCodes,
	deleteRecoveryCodes,
	deleteTotp,
	findTotpSecret,
	insertRecoveryCodes,
	insertTotpIfAbsent
} from './totp.repository';

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

/** A key as newTotpSecret makes it: 32 base32 characters (160 bits). */
export function isTotpSecret(value: string): boolean {
	return /^[A-Z2-7]{32}$/.test(value);
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
	if (replace) await deleteTotp(trx, userId);
	if (!(await insertTotpIfAbsent(trx, userId, secret, step))) return null;
	return replaceRecoveryCodes(trx, userId);
}

/** Ten new recovery codes in place of all earlier ones, used or not; returns them, shown once. */
export async function replaceRecoveryCodes(
	trx: Transaction<Database>,
	userId: number
): Promise<string[]> {
	await deleteRecoveryCodes(trx, userId);
	const codes = newRecoveryCodes();
	await insertRecoveryCodes(trx, userId, codes.map(hashRecoveryCode));
	return codes;
}

/** Removes the key and the recovery codes of an account; true when it had a key. */
export async function removeTotp(trx: Transaction<Database>, userId: number): Promise<boolean> {
	const hadKey = await deleteTotp(trx, userId);
	await deleteRecoveryCodes(trx, userId);
	return hadKey;
}

/**
 * Accepts a code of the account's key once: the key's last step only moves forward, in one
 * conditional update, so the same code (or an older one) sent twice, even at the same moment,
 * is accepted once.
 */
export async function useTotpCode(
	db: Db,
	userId: number,
	code: string,
	now: Date
): Promise<boolean> {
	const secret = await findTotpSecret(db, userId);
	if (!secret) return false;
	const step = matchingStep(secret, code, now);
	return step !== null && advanceTotpStep(db, userId, step);
}

export async function useRecoveryCode(
	db: Db,
	userId: number,
	code: string,
	now: Date
): Promise<boolean> {
	return claimRecoveryCode(db, userId, hashRecoveryCode(code), now);
}

/** A code of the second step: six digits from the app, anything else a recovery code. */
export function isRecoveryCode(code: string): boolean {
	return !/^\d{6}$/.test(code.replace(/\s/g, ''));
}

/** Uses either kind of code once; returns which kind it was, or null when it is not accepted. */
export async function useSecondFactorCode(
	db: Db,
	userId: number,
	code: string,
	now: Date
): Promise<'totp' | 'recovery_code' | null> {
	if (isRecoveryCode(code))
		return (await useRecoveryCode(db, userId, code, now)) ? 'recovery_code' : null;
	return (await useTotpCode(db, userId, code, now)) ? 'totp' : null;
}

export async function hasTotp(db: Db, userId: number): Promise<boolean> {
	return (await findTotpSecret(db, userId)) !== null;
}

export async function recoveryCodesLeft(db: Db, userId: number): Promise<number> {
	return countUnusedRecoveryCodes(db, userId);
}
