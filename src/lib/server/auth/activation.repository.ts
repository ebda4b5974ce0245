import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import { expired, live, unused } from '$lib/server/db/expiry';

/** The live activation code of a letter, when V-number, birth date and code hash all match. */
export async function findLiveActivationCode(
	db: Db,
	match: { vNumber: string; birthDate: string; codeHash: string; now: Date }
) {
	return db
		.selectFrom('activation_code')
		.innerJoin('case', 'case.id', 'activation_code.case_id')
		.innerJoin('applicant', 'applicant.id', 'case.applicant_id')
		.select(['activation_code.id as codeId', 'applicant.id as applicantId', 'applicant.name'])
		.where('applicant.v_number', '=', match.vNumber)
		.where('applicant.birth_date', '=', match.birthDate)
		.where('activation_code.code_hash', '=', match.codeHash)
		.where(live('activation_code', match.now))
		.where('activation_code.replaced_at', 'is', null)
		.executeTakeFirst();
}

/** Uses the code up; false when another request used it first. */
export async function claimActivationCode(db: Db, codeId: number, now: Date): Promise<boolean> {
	const claimed = await db
		.updateTable('activation_code')
		.set({ used_at: now })
		.where('id', '=', codeId)
		.where(unused('activation_code'))
		.executeTakeFirst();
	return claimed.numUpdatedRows === 1n;
}

/** The case a letter is for, with its applicant and account, locked until the transaction ends. */
export async function lockCaseForLetter(trx: Db, reference: string) {
	return trx
		.selectFrom('case')
		.innerJoin('applicant', 'applicant.id', 'case.applicant_id')
		.leftJoin('app_user', 'app_user.applicant_id', 'applicant.id')
		.select([
			'case.id',
			'case.reference',
			'applicant.v_number',
			'applicant.name',
			'applicant.language',
			'app_user.id as userId'
		])
		.where('case.reference', '=', reference)
		.forUpdate('case')
		.executeTakeFirst();
}

/** Two calls with one request id at once: the second waits until the first commits. */
export async function lockLetterRequest(trx: Db, requestHash: string): Promise<void> {
	await sql`select pg_advisory_xact_lock(hashtext(${requestHash}))`.execute(trx);
}

export async function findLetterRequest(db: Db, requestHash: string) {
	return db
		.selectFrom('activation_letter_request')
		.innerJoin('case', 'case.id', 'activation_letter_request.case_id')
		.select([
			'case.reference',
			'activation_letter_request.sealed',
			'activation_letter_request.replay_until'
		])
		.where('request_hash', '=', requestHash)
		.executeTakeFirst();
}

/**
 * Issues a letter's code in one statement: retires the case's unused codes, so that only the letter
 * printed last works, stores the new code, and records the request that issued it.
 */
export async function insertLetterCode(
	trx: Db,
	letter: {
		requestHash: string;
		apiKeyId: number;
		caseId: number;
		codeHash: string;
		sealed: string;
		now: Date;
		replayUntil: Date;
		expiresAt: Date;
	}
): Promise<void> {
	await trx
		.with('retired', (db) =>
			db
				.updateTable('activation_code')
				.set({ replaced_at: letter.now })
				.where('case_id', '=', letter.caseId)
				.where(unused('activation_code'))
				.where('replaced_at', 'is', null)
		)
		.with('code', (db) =>
			db
				.insertInto('activation_code')
				.values({
					case_id: letter.caseId,
					code_hash: letter.codeHash,
					expires_at: letter.expiresAt
				})
				.returning('id')
		)
		.insertInto('activation_letter_request')
		.values((eb) => ({
			request_hash: letter.requestHash,
			api_key_id: letter.apiKeyId,
			case_id: letter.caseId,
			activation_code_id: eb.selectFrom('code').select('code.id'),
			sealed: letter.sealed,
			created_at: letter.now,
			replay_until: letter.replayUntil,
			expires_at: letter.expiresAt
		}))
		.execute();
}

/** Clears sealed letters whose replay window has ended and forgets requests whose code has expired. */
export async function purgeLetterRequestRows(db: Db, now: Date): Promise<void> {
	await db
		.updateTable('activation_letter_request')
		.set({ sealed: null })
		.where('sealed', 'is not', null)
		.where('replay_until', '<=', now)
		.execute();
	await db
		.deleteFrom('activation_letter_request')
		.where(expired('activation_letter_request', now))
		.execute();
}
