import { randomUUID } from 'node:crypto';
import type { Principal } from '$lib/server/auth/principal';

let counter = 0;

/** A fresh case reference, unique within the test run. */
export function newReference(): string {
	counter += 1;
	const n = (process.pid % 1000) * 100_000 + counter;
	return `IND-2026-${String(n).padStart(8, '0')}`;
}

export function newVNumber(): string {
	return String(1_000_000_000 + Math.floor(Math.random() * 8_999_999_999)).slice(0, 10);
}

export function submitted(reference: string, at: string, overrides: Record<string, unknown> = {}) {
	return {
		id: randomUUID(),
		type: 'case.submitted',
		occurredAt: at,
		case: reference,
		data: {
			product: 'asiel',
			vNumber: newVNumber(),
			applicant: { name: 'Amal Haddad', birthDate: '1990-04-12', language: 'ar' },
			...overrides
		}
	};
}

export function stageEntered(reference: string, at: string, stage: string) {
	return {
		id: randomUUID(),
		type: 'case.stage_entered',
		occurredAt: at,
		case: reference,
		data: { stage }
	};
}

export function decided(reference: string, at: string, outcome = 'granted') {
	return {
		id: randomUUID(),
		type: 'case.decided',
		occurredAt: at,
		case: reference,
		data: { outcome }
	};
}

export function documentsRequested(
	reference: string,
	at: string,
	data: Record<string, unknown> = { missing: ['salary_statement'], before: '2026-03-01' }
) {
	return {
		id: randomUUID(),
		type: 'case.documents_requested',
		occurredAt: at,
		case: reference,
		data
	};
}

/** The signed-in applicant as services see them: their account id is their applicant id here. */
export function applicantPrincipal(applicantId: number): Principal {
	return {
		id: applicantId,
		email: 'a@example.test',
		displayName: 'A',
		kind: 'applicant',
		applicantId,
		roles: []
	};
}
