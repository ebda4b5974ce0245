import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { e2eKeyFile } from './paths';

export function apiKey(): string {
	return readFileSync(e2eKeyFile, 'utf8').trim();
}

export function authorised(): Record<string, string> {
	return { Authorization: `Bearer ${apiKey()}` };
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
		data: { product, vNumber: String(2_000_000_000 + counter), applicant: { name: 'Test Applicant', birthDate: '1999-05-01', language: 'en' } }
	};
}

export function stageEntered(reference: string, occurredAt: string, stage: string) {
	return { id: randomUUID(), type: 'case.stage_entered', occurredAt, case: reference, data: { stage } };
}
