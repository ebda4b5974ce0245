import { deflateSync } from 'node:zlib';
import type { Db } from '$lib/server/db';
import {
	addDocuments,
	decideRequest,
	getConditions,
	saveDraft,
	sendRequest,
	startRequest,
	type DecideInput,
	type DraftInput,
	type TriageActor,
	type TriageConfig
} from '$lib/server/triage/triage.service';
import { newApplicant, type Applicant } from '../planning/fixtures';
import { ingestEvents } from '$lib/server/events/event.service';
import { stageEntered } from '../helpers/factories';

export { refusal } from '../planning/fixtures';

/** Wednesday 2 December 2026, 09:00 in Amsterdam. */
export const NOW = new Date('2026-12-02T08:00:00Z');

/** The triage settings of the tests: four eyes on. */
export const config: TriageConfig = {
	targetDays: 14,
	retentionDays: 30,
	fourEyes: true,
	draftMaxAgeMs: 86_400_000
};

export const draft: DraftInput = {
	grounds: ['medical'],
	explanation: 'My daughter needs an operation that is only possible with a residence permit.',
	healthConsent: true
};

/** A small but real PDF: what file-type recognises by its header. */
export function pdf(text = 'Verklaring van de huisarts'): Uint8Array {
	return new TextEncoder().encode(
		`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`
	);
}

/** A 1×1 PNG, built byte by byte. */
export function png(): Uint8Array {
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (bytes: Buffer) => {
		let c = 0xffffffff;
		for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type: string, data: Buffer) => {
		const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const out = Buffer.alloc(8 + data.length + 4);
		out.writeUInt32BE(data.length, 0);
		body.copy(out, 4);
		out.writeUInt32BE(crc(body), 8 + data.length);
		return out;
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(1, 0);
	header.writeUInt32BE(1, 4);
	header[8] = 8;
	header[9] = 0;
	return new Uint8Array(
		Buffer.concat([
			Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
			chunk('IHDR', header),
			chunk('IDAT', deflateSync(Buffer.from([0, 0]))),
			chunk('IEND', Buffer.alloc(0))
		])
	);
}

/** A Windows executable's first bytes ("MZ" and a PE header), whatever it is called. */
export function executable(): Uint8Array {
	const bytes = new Uint8Array(512);
	bytes.set([0x4d, 0x5a], 0);
	bytes.set([0x80, 0, 0, 0], 0x3c);
	bytes.set([0x50, 0x45, 0, 0], 0x80);
	return bytes;
}

export interface TriageApplicant extends Applicant {
	triageActor: TriageActor;
}

/** An applicant with an asylum case waiting in the queue of its first queue stage. */
export async function newWaitingApplicant(db: Db): Promise<TriageApplicant> {
	const applicant = await newApplicant(db);
	await ingestEvents(db, {
		events: [
			stageEntered(applicant.reference, '2026-11-03T09:00:00Z', 'registration_interview_queue')
		]
	});
	return { ...applicant, triageActor: { userId: applicant.userId, role: 'applicant' } };
}

let officers = 0;

/** A staff account with the triage role. */
export async function newOfficer(db: Db): Promise<TriageActor> {
	officers += 1;
	const user = await db
		.insertInto('app_user')
		.values({
			email: `triage-${process.pid}-${officers}@ind.example`,
			password_hash: 'x',
			display_name: `Officer ${officers}`,
			kind: 'staff',
			applicant_id: null,
			language: 'nl'
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await db.insertInto('user_role').values({ user_id: user.id, role: 'triage' }).execute();
	return { userId: user.id, role: 'triage' };
}

export async function streamsOf(db: Db, caseId: number) {
	const row = await db
		.selectFrom('case')
		.select('stream')
		.where('id', '=', caseId)
		.executeTakeFirstOrThrow();
	const entries = await db
		.selectFrom('queue_entry')
		.select('stream')
		.where('case_id', '=', caseId)
		.where('left_at', 'is', null)
		.execute();
	return { case: row.stream, entries: entries.map((e) => e.stream) };
}

/** The applicant's request, filled in (by default: medical grounds and a PDF) and sent. */
export async function sentRequest(
	db: Db,
	a: TriageApplicant,
	options: {
		draft?: DraftInput;
		files?: { name: string; bytes: Uint8Array }[];
		now?: Date;
		config?: TriageConfig;
	} = {}
) {
	const { files = [{ name: 'huisarts.pdf', bytes: pdf() }], now = NOW } = options;
	const { id } = await startRequest(db, { reference: a.reference, actor: a.triageActor });
	await saveDraft(db, {
		reference: a.reference,
		actor: a.triageActor,
		draft: options.draft ?? draft,
		now
	});
	if (files.length > 0)
		await addDocuments(db, { reference: a.reference, actor: a.triageActor, files });
	const receipt = await sendRequest(db, {
		reference: a.reference,
		actor: a.triageActor,
		declaration: true,
		now,
		config: options.config ?? config
	});
	return { ...receipt, id };
}

/**
 * An officer's decision on a sent request, tested against the current conditions: by default an
 * acceptance on health grounds, at NOW.
 */
export async function decide(
	db: Db,
	requestId: number,
	officer: TriageActor,
	choice: Partial<Omit<DecideInput, 'requestId' | 'actor'>> = {}
) {
	const { version } = await getConditions(db);
	return decideRequest(db, {
		requestId,
		actor: officer,
		outcome: 'accepted',
		conditionsVersion: version,
		conditionsMet: ['evidence', 'urgency'],
		reasons: ['health_at_risk'],
		reasonText: 'The operation cannot wait.',
		now: NOW,
		config,
		...choice
	});
}
