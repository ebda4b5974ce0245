import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { sha256Hex } from '$lib/server/crypto/hash';
import type { Db } from '$lib/server/db';
import { recordAudit, type Actor } from '$lib/server/audit/audit.service';
import { normaliseActivationCode } from './activation.service';
import { letterErrors } from './auth.errors';
import {
	findLetterRequest,
	insertLetterCode,
	lockCaseForLetter,
	lockLetterRequest,
	purgeLetterRequestRows
} from './activation.repository';

const ACTIVATION_CODE_DAYS = 30;
/** How long a retry with the same request id gets the same letter back. */
export const LETTER_REPLAY_HOURS = 24;
// Letters and digits that cannot be mistaken for one another on a printed letter.
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export interface ActivationLetter {
	reference: string;
	vNumber: string;
	name: string;
	language: string;
	code: string;
	expiresAt: string;
	alreadyActivated: boolean;
}

export interface LetterResult {
	/** True when this is a retry that gets the earlier letter back. */
	replayed: boolean;
	letter: ActivationLetter;
}

export { letterErrors };

const digest = sha256Hex;

function newActivationCode(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(12));
	const chars = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
	return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}

/*
 * Only the hash of a code is stored, yet a retried request must get the same code back. The letter is
 * therefore kept encrypted with a key derived from the request id (a random UUID only the caller holds)
 * and found by another hash of it: the database alone can neither read it nor test a guess in a useful
 * time. The sealed letter is cleared after the replay window, and the row itself when the code expires.
 */
function letterKey(requestId: string): Buffer {
	return Buffer.from(
		hkdfSync('sha256', requestId.toLowerCase(), 'mijn-aanvraag', 'activation-letter seal', 32)
	);
}

export function requestHash(requestId: string): string {
	return digest(`activation-letter request:${requestId.toLowerCase()}`);
}

function seal(requestId: string, letter: ActivationLetter): string {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', letterKey(requestId), iv);
	const body = Buffer.concat([cipher.update(JSON.stringify(letter), 'utf8'), cipher.final()]);
	return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function unseal(requestId: string, sealed: string): ActivationLetter {
	const bytes = Buffer.from(sealed, 'base64');
	const decipher = createDecipheriv('aes-256-gcm', letterKey(requestId), bytes.subarray(0, 12));
	decipher.setAuthTag(bytes.subarray(12, 28));
	return JSON.parse(
		Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')
	);
}

/** Clears sealed letters whose replay window has ended and forgets requests whose code has expired. */
export async function purgeLetterRequests(db: Db, now = new Date()): Promise<void> {
	await purgeLetterRequestRows(db, now);
}

export interface LetterRequest {
	reference: string;
	/** The caller's id for this letter (a random UUID): the same id gives the same letter. */
	requestId: string;
	apiKeyId: number;
	actor: Actor;
	now?: Date;
}

/**
 * The activation letter of a case, idempotent per request id. A new request id issues a new code
 * (valid 30 days) and retires the earlier ones, so the letter printed last is the one that works; a
 * retry with the same id within 24 hours returns the same code and retires nothing. Audited in the
 * same transaction. Refusals are `letterErrors`: unknown_case, request_id_reused, replay_expired.
 */
export async function issueActivationLetter(db: Db, input: LetterRequest): Promise<LetterResult> {
	const now = input.now ?? new Date();
	const hash = requestHash(input.requestId);
	await purgeLetterRequests(db, now);
	return db.transaction().execute(async (trx): Promise<LetterResult> => {
		// Two calls with one request id at once: the second waits, then finds what the first issued.
		await lockLetterRequest(trx, hash);
		const earlier = await findLetterRequest(trx, hash);
		if (earlier) {
			if (earlier.reference !== input.reference)
				throw letterErrors.error('request_id_reused', {
					detail: 'this request id already issued the letter of another case; send a new one'
				});
			if (!earlier.sealed || earlier.replay_until <= now)
				throw letterErrors.error('replay_expired', {
					detail: `this request id issued a letter more than ${LETTER_REPLAY_HOURS} hours ago and its code is no longer kept; send a new request id to issue a new code (it retires the earlier one)`
				});
			const letter = unseal(input.requestId, earlier.sealed);
			await recordAudit(trx, input.actor, {
				action: 'activation_letter.replayed',
				subject: `case:${input.reference}`
			});
			return { replayed: true, letter };
		}

		const found = await lockCaseForLetter(trx, input.reference);
		if (!found)
			throw letterErrors.error('unknown_case', { detail: `case ${input.reference} is unknown` });
		const code = newActivationCode();
		const expiresAt = new Date(now.getTime() + ACTIVATION_CODE_DAYS * 24 * 60 * 60 * 1000);
		const letter: ActivationLetter = {
			reference: found.reference,
			vNumber: found.v_number,
			name: found.name,
			language: found.language,
			code,
			expiresAt: expiresAt.toISOString(),
			alreadyActivated: found.userId !== null
		};
		await insertLetterCode(trx, {
			requestHash: hash,
			apiKeyId: input.apiKeyId,
			caseId: found.id,
			codeHash: digest(normaliseActivationCode(code)),
			sealed: seal(input.requestId, letter),
			now,
			replayUntil: new Date(now.getTime() + LETTER_REPLAY_HOURS * 60 * 60 * 1000),
			expiresAt
		});
		// By subject, not case id: the applicant's "who looked at my file" lists people, not the letter printer.
		await recordAudit(trx, input.actor, {
			action: 'activation_letter.issued',
			subject: `case:${found.reference}`
		});
		return { replayed: false, letter };
	});
}
