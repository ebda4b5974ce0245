import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect, type APIRequestContext } from '@playwright/test';
import { e2eKeyFile, e2eStateDir } from './paths';

/** Keys with one scope each, and one with a limit of 3 requests a minute, for the API's own tests. */
export const e2eScopedKeysFile = join(e2eStateDir, 'api-keys.json');

export function apiKey(): string {
	return readFileSync(e2eKeyFile, 'utf8').trim();
}

export function authorised(key = apiKey()): Record<string, string> {
	return { Authorization: `Bearer ${key}` };
}

export function scopedKeys(): { eventsOnly: string; lettersOnly: string; limited: string } {
	return JSON.parse(readFileSync(e2eScopedKeysFile, 'utf8'));
}

/** Issues the activation letter of a case; the same request id returns the same letter. */
export function postActivationLetter(
	request: APIRequestContext,
	reference: string,
	requestId: string = randomUUID(),
	key = apiKey()
) {
	return request.post(`/api/v1/cases/${reference}/activation-letter`, {
		headers: { ...authorised(key), 'Idempotency-Key': requestId }
	});
}

let counter = 0;
export function newReference(): string {
	counter += 1;
	return `IND-2026-${String(90_000_000 + (Date.now() % 100_000) * 10 + counter).slice(0, 8)}`;
}

export function submitted(reference: string, occurredAt: string, product = 'studie') {
	return {
		id: randomUUID(),
		type: 'case.submitted',
		occurredAt,
		case: reference,
		data: {
			product,
			vNumber: String(2_000_000_000 + counter),
			applicant: { name: 'Test Applicant', birthDate: '1999-05-01', language: 'en' }
		}
	};
}

export function stageEntered(reference: string, occurredAt: string, stage: string) {
	return {
		id: randomUUID(),
		type: 'case.stage_entered',
		occurredAt,
		case: reference,
		data: { stage }
	};
}

/**
 * A case of a new applicant, through the event API, and its activation letter's code: an
 * account of one's own (see `activate`), whose case list no other test touches. By default a
 * family reunification submitted now; or a product submitted days ago, waiting in a stage.
 */
export async function newApplicantCase(
	request: APIRequestContext,
	options: { product?: string; submittedDaysAgo?: number; stage?: string; sponsorKvk?: string } = {}
) {
	const reference = newReference();
	const vNumber = String(3_000_000_000 + Math.floor(Math.random() * 999_999_999)).slice(0, 10);
	const birthDate = '1988-02-29';
	const submittedAt = Date.now() - (options.submittedDaysAgo ?? 0) * 86_400_000;
	const events: { id: string; type: string; occurredAt: string; case: string; data: object }[] = [
		{
			id: randomUUID(),
			type: 'case.submitted',
			occurredAt: new Date(submittedAt).toISOString(),
			case: reference,
			data: {
				product: options.product ?? 'gezinshereniging',
				vNumber,
				applicant: { name: 'Samira Haddad', birthDate, language: 'en' },
				...(options.sponsorKvk ? { sponsorKvk: options.sponsorKvk } : {})
			}
		}
	];
	if (options.stage)
		events.push(
			stageEntered(reference, new Date(Date.now() - 60_000).toISOString(), options.stage)
		);
	const response = await request.post('/api/v1/events', {
		headers: authorised(),
		data: { events }
	});
	expect(response.status()).toBe(200);
	const letter = await postActivationLetter(request, reference);
	expect(letter.status()).toBe(200);
	const { code } = await letter.json();
	return { reference, vNumber, birthDate, code: code as string };
}
