import { sql } from 'kysely';
import type { Db } from '$lib/server/db';

/** `last_error` of a message that a delivery run has claimed and is sending now. */
export const SENDING = 'sending';
// Far longer than one SMTP conversation can take with the transport's timeouts (see jobs/index.ts).
const CLAIM_EXPIRES = sql<string>`interval '15 minutes'`;

interface RenderedEmail {
	subject: string;
	text: string;
	redacted: string;
}

export async function insertEmail(db: Db, to: string, message: RenderedEmail): Promise<number> {
	const row = await db
		.insertInto('email_outbox')
		.values({
			to_address: to,
			subject: message.subject,
			body_text: message.text,
			body_redacted: message.redacted
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

/** Inserts `message` for the address of account `userId`: one row, or none without such an account. */
export async function insertEmailToAccount(
	db: Db,
	message: RenderedEmail,
	userId: number
): Promise<void> {
	await db
		.insertInto('email_outbox')
		.columns(['to_address', 'subject', 'body_text', 'body_redacted'])
		.expression((eb) =>
			eb
				.selectFrom('app_user')
				.select([
					'email as to_address',
					sql<string>`${message.subject}::text`.as('subject'),
					sql<string>`${message.text}::text`.as('body_text'),
					sql<string>`${message.redacted}::text`.as('body_redacted')
				])
				.where('id', '=', userId)
		)
		.execute();
}

/**
 * Claims the oldest message that is due, in one statement: unsent and past its back-off (2^n - 1
 * minutes after it was queued, for n attempts so far), or claimed by a run that died mid-send.
 */
export async function claimNextEmail(db: Db, maxAttempts: number) {
	return db
		.updateTable('email_outbox')
		.set((eb) => ({ sent_at: sql`now()`, attempts: eb('attempts', '+', 1), last_error: SENDING }))
		.where((eb) =>
			eb(
				'id',
				'=',
				eb
					.selectFrom('email_outbox')
					.select('id')
					.where('attempts', '<', maxAttempts)
					.where((w) =>
						w.or([
							w.and([
								w('sent_at', 'is', null),
								w(
									'created_at',
									'<=',
									sql<Date>`now() - (power(2, attempts) - 1) * interval '1 minute'`
								)
							]),
							w.and([
								w('last_error', '=', SENDING),
								w('sent_at', '<', sql<Date>`now() - ${CLAIM_EXPIRES}`)
							])
						])
					)
					.orderBy('id')
					.limit(1)
					.forUpdate()
					.skipLocked()
			)
		)
		.returning(['id', 'to_address', 'subject', 'body_text'])
		.executeTakeFirst();
}

export async function markEmailSent(db: Db, id: number): Promise<void> {
	await db
		.updateTable('email_outbox')
		.set({ sent_at: sql`now()`, last_error: null })
		.where('id', '=', id)
		.execute();
}

export async function markEmailFailed(db: Db, id: number, error: string): Promise<void> {
	await db
		.updateTable('email_outbox')
		.set({ sent_at: null, last_error: error })
		.where('id', '=', id)
		.execute();
}

/** Gives a claimed message back unsent, without counting the attempt. */
export async function releaseEmailClaim(db: Db, id: number, reason: string): Promise<void> {
	await db
		.updateTable('email_outbox')
		.set((eb) => ({ sent_at: null, attempts: eb('attempts', '-', 1), last_error: reason }))
		.where('id', '=', id)
		.execute();
}

export async function findNewestEmails(db: Db, limit: number) {
	return db
		.selectFrom('email_outbox')
		.selectAll()
		.select(sql<boolean>`sent_at < now() - ${CLAIM_EXPIRES}`.as('claim_expired'))
		.orderBy('id', 'desc')
		.limit(limit)
		.execute();
}
