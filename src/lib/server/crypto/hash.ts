import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';

/** SHA-256 as lower-case hex: how tokens, codes and keys are stored, so a leaked table reveals none of them. */
export function sha256Hex(value: string | Uint8Array): string {
	const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
	return encodeHexLowerCase(sha256(bytes));
}
