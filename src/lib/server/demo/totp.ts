import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';

/**
 * The fixed TOTP secret of a demo account, as an authenticator app takes it (base32). Derived from
 * the e-mail address so that README, the seed and the end-to-end tests agree without a list.
 * Demo only: anyone who reads this file can compute every code.
 */
export function demoTotpSecret(email: string): string {
	const digest = sha256(new TextEncoder().encode(`mijn-aanvraag demo totp ${email.toLowerCase()}`));
	return encodeBase32UpperCaseNoPadding(digest.slice(0, 20));
}
