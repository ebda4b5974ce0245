import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 12;

// OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): about 40 ms here, cheap enough for a
// login spike on 2 cores and still costly for an offline attacker.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

const common = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

export type PasswordProblem = 'too_short' | 'too_long' | 'too_common';

/** NIST 800-63B: a minimum length and a check against common passwords, no composition rules. */
export function checkPasswordStrength(password: string): PasswordProblem | null {
	if ([...password].length < MIN_PASSWORD_LENGTH) return 'too_short';
	if (password.length > 256) return 'too_long';
	const lower = password.toLowerCase();
	if (common.has(lower) || /^(.)\1+$/.test(password) || common.has(lower.replace(/\d+$/, '')))
		return 'too_common';
	return null;
}

export function hashPassword(password: string): Promise<string> {
	return hash(password.normalize('NFKC'), options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password.normalize('NFKC'));
	} catch {
		return false;
	}
}
