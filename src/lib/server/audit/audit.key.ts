import { hmac } from '@oslojs/crypto/hmac';
import { SHA256 } from '@oslojs/crypto/sha2';
import { encodeBase64urlNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The key that authenticates the audit chain; it lives outside the database. */
export interface AuditKey {
	/** A fingerprint stored with each row, so verification knows which key wrote it. */
	id: string;
	secret: Uint8Array;
}

export class AuditKeyError extends Error {}

const MIN_LENGTH = 32;
export const DEFAULT_AUDIT_KEY_FILE = './.data/audit-key';

export function auditKeyFrom(text: string): AuditKey {
	const value = text.trim();
	if (value.length < MIN_LENGTH)
		throw new AuditKeyError(
			`AUDIT_KEY must be at least ${MIN_LENGTH} characters (for example: openssl rand -base64 32).`
		);
	const secret = new TextEncoder().encode(value);
	const id = encodeHexLowerCase(
		hmac(SHA256, secret, new TextEncoder().encode('mijn-aanvraag audit key id'))
	).slice(0, 16);
	return { id, secret };
}

/**
 * AUDIT_KEY from the environment. Without it, production refuses; elsewhere (the demo, development)
 * a key is generated once into AUDIT_KEY_FILE (default .data/audit-key, mode 0600) and reused.
 */
export function auditKeyFromEnv(env: NodeJS.ProcessEnv = process.env): AuditKey {
	if (env.AUDIT_KEY) return auditKeyFrom(env.AUDIT_KEY);
	if (env.NODE_ENV === 'production') {
		throw new AuditKeyError(
			'AUDIT_KEY is not set. In production the audit log must be authenticated with a key kept outside the database: ' +
				'set AUDIT_KEY to a secret of at least 32 characters (for example: openssl rand -base64 32) and keep a copy for audit:verify.'
		);
	}
	const file = env.AUDIT_KEY_FILE || DEFAULT_AUDIT_KEY_FILE;
	if (!existsSync(file)) {
		mkdirSync(dirname(file), { recursive: true });
		// wx: two processes starting at once do not overwrite each other's key.
		try {
			writeFileSync(file, `${encodeBase64urlNoPadding(randomBytes(32))}\n`, {
				mode: 0o600,
				flag: 'wx'
			});
			console.log(`Audit log: generated a key in ${file} (set AUDIT_KEY in production).`);
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
		}
		chmodSync(file, 0o600);
	}
	return auditKeyFrom(readFileSync(file, 'utf8'));
}

let current: AuditKey | undefined;

/** The process's audit key, loaded on first use. */
export function currentAuditKey(): AuditKey {
	current ??= auditKeyFromEnv();
	return current;
}
