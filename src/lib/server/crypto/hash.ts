import { createHash } from 'node:crypto';

/**
 * SHA-256 as lower-case hex: how tokens, codes and keys are stored, so a leaked table reveals none
 * of them. Node's own hash: every signed-in request hashes its session token.
 */
export function sha256Hex(value: string | Uint8Array): string {
	return createHash('sha256').update(value).digest('hex');
}
