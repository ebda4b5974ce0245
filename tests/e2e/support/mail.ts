import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import { simpleParser } from 'mailparser';
import { e2eMailDir } from './paths';

/**
 * The newest message the SMTP server received for an address, waiting for it to arrive: its
 * subject and text, decoded. A message in Arabic or Tigrinya travels as base64, so reading the raw
 * file would miss every link in it.
 */
export async function waitForMail(address: string, after = 0): Promise<string> {
	let raw = '';
	await expect
		.poll(
			() => {
				raw =
					readdirSync(e2eMailDir)
						.sort()
						.slice(after)
						.reverse()
						.map((f) => readFileSync(join(e2eMailDir, f), 'utf8'))
						.find((message) => message.startsWith(`X-Envelope-To: ${address}`)) ?? '';
				return raw !== '';
			},
			{ timeout: 15_000, message: `an e-mail to ${address}` }
		)
		.toBe(true);
	const mail = await simpleParser(raw);
	return `${mail.subject ?? ''}\n\n${mail.text ?? ''}`;
}

export function mailCount(): number {
	return readdirSync(e2eMailDir).length;
}
