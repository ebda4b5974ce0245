import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import { e2eMailDir } from './paths';

/** The newest message the SMTP server received for an address, waiting for it to arrive. */
export async function waitForMail(address: string, after = 0): Promise<string> {
	let found = '';
	await expect
		.poll(
			() => {
				const files = readdirSync(e2eMailDir).sort().slice(after);
				const match = files
					.reverse()
					.find((f) =>
						readFileSync(join(e2eMailDir, f), 'utf8').startsWith(`X-Envelope-To: ${address}`)
					);
				found = match ? readFileSync(join(e2eMailDir, match), 'utf8') : '';
				return found !== '';
			},
			{ timeout: 15_000, message: `an e-mail to ${address}` }
		)
		.toBe(true);
	// Quoted-printable soft line breaks would split a long link.
	return found.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
}

export function mailCount(): number {
	return readdirSync(e2eMailDir).length;
}
