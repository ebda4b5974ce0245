import type { Transaction } from 'kysely';
import type { SendMailOptions } from 'nodemailer';
import type { Database, Db } from '$lib/server/db';
import {
	REDACTED,
	renderEmail,
	secretParams,
	type EmailParams,
	type EmailTemplate
} from './email.templates';
import { isDemoMode } from '$lib/server/config/mode';
import {
	SENDING,
	claimNextEmail,
	findNewestEmails,
	insertEmail,
	insertEmailToAccount,
	markEmailFailed,
	markEmailSent,
	releaseEmailClaim
} from './email.repository';

export type { EmailTemplate } from './email.templates';

export const DEFAULT_MAIL_FROM = 'Mijn Aanvraag <no-reply@mijn-aanvraag.example>';
/**
 * After this many failed attempts a message stays in the outbox, unsent, for a person to look at.
 * After n failed attempts the next waits until 2^n - 1 minutes after the message was queued (1, 3,
 * 7 … 511), so a mail server that is down for a while does not use them all up.
 */
export const MAX_ATTEMPTS = 10;
export { SENDING };

export interface QueueEmailInput<T extends EmailTemplate> {
	to: string;
	template: T;
	lang: string;
	params: EmailParams<T>;
}

/**
 * Renders the message in `lang` and adds it to the outbox, in the caller's transaction so that it
 * leaves only if the change it reports commits. Call `sendEmailNudge()` after the commit.
 */
export async function queueEmail<T extends EmailTemplate>(
	db: Db | Transaction<Database>,
	input: QueueEmailInput<T>
): Promise<number> {
	const message = await renderForOutbox(input.template, input.lang, input.params);
	return insertEmail(db, input.to.trim(), message);
}

export interface OutboxMessage {
	subject: string;
	text: string;
	/** The text with every secret parameter blanked. */
	redacted: string;
}

export async function renderForOutbox<T extends EmailTemplate>(
	template: T,
	lang: string,
	params: EmailParams<T>
): Promise<OutboxMessage> {
	const { subject, text } = await renderEmail(template, lang, params);
	const blanked = { ...params } as Record<string, string>;
	for (const name of secretParams[template]) blanked[name] = REDACTED;
	const redacted = (await renderEmail(template, lang, blanked as EmailParams<T>)).text;
	return { subject, text, redacted };
}

/**
 * Queues `message` to the account `userId`, or to nobody when there is no such account, with the
 * same statement either way: callers that must not reveal whether an account exists use it.
 */
export async function queueRenderedToAccount(
	trx: Transaction<Database>,
	message: OutboxMessage,
	userId: number
): Promise<void> {
	await insertEmailToAccount(trx, message, userId);
}

export interface MailTransport {
	sendMail(message: SendMailOptions): Promise<unknown>;
}

export interface DeliveryOptions {
	/** The most messages one run sends. */
	limit?: number;
	from?: string;
	/** Stops the run: no new message is claimed, and the one being sent is broken off. */
	signal?: AbortSignal;
}

/**
 * Sends unsent messages, oldest first.
 *
 * Each message is claimed in one short statement (`for update skip locked`, then `sent_at` set and
 * `last_error` = 'sending') and sent with no transaction open: holding a row lock through the SMTP
 * conversation would hold a connection too, and on PGlite, whose one connection every request
 * shares, stall the whole portal while a slow mail server answers. The claim stops a second app
 * instance from sending the same message; a claim left by a process that died mid-send expires
 * after 15 minutes and the message goes out again (at least once, never silently lost).
 */
export async function deliverPendingEmail(
	db: Db,
	transport: MailTransport,
	options: DeliveryOptions = {}
): Promise<{ sent: number; failed: number }> {
	const { limit = 50, from = DEFAULT_MAIL_FROM, signal } = options;
	let sent = 0;
	let failed = 0;
	while (sent + failed < limit && !signal?.aborted) {
		const message = await claimNextEmail(db, MAX_ATTEMPTS);
		if (!message) break;
		const error = await transport
			.sendMail({
				from,
				to: message.to_address,
				subject: message.subject,
				text: message.body_text,
				signal
			})
			.then(
				() => null,
				(err: unknown) => err
			);
		if (error === null) {
			await markEmailSent(db, message.id);
			sent += 1;
		} else if (signal?.aborted) {
			// Broken off by shutdown, not the message's fault: it keeps its attempt.
			await releaseEmailClaim(db, message.id, 'interrupted by shutdown');
			break;
		} else {
			await markEmailFailed(db, message.id, describeError(error));
			failed += 1;
			// A 5xx reply concerns this message (a refused recipient); anything else (no connection,
			// a 4xx "try later") concerns the server, and the next message would fail the same way.
			const code = (error as { responseCode?: number }).responseCode;
			if (!(code !== undefined && code >= 500)) break;
		}
	}
	return { sent, failed };
}

function describeError(err: unknown): string {
	const text = err instanceof Error ? err.message : String(err);
	return text.slice(0, 1000) || 'unknown error';
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxItem {
	id: number;
	to: string;
	subject: string;
	/** Null when there is nothing that may be shown (a message queued before bodies were redacted). */
	body: string | null;
	redacted: boolean;
	createdAt: Date;
	sentAt: Date | null;
	attempts: number;
	lastError: string | null;
	status: OutboxStatus;
}

/**
 * The newest messages first, for the admin's view of the outbox. Outside demo mode the bodies
 * have their links and codes blanked: an administrator reading the outbox must not be able to
 * reset someone's password or activate their account.
 */
export async function findOutbox(db: Db, limit = 50, demo = isDemoMode()): Promise<OutboxItem[]> {
	const rows = await findNewestEmails(db, limit);
	return rows.map((row) => {
		const claimed = row.last_error === SENDING;
		const sent = !claimed && row.sent_at !== null;
		const givenUp = !sent && row.attempts >= MAX_ATTEMPTS && (!claimed || row.claim_expired);
		return {
			id: row.id,
			to: row.to_address,
			subject: row.subject,
			body: demo ? row.body_text : row.body_redacted,
			redacted: !demo,
			createdAt: row.created_at,
			sentAt: sent ? row.sent_at : null,
			attempts: row.attempts,
			lastError: claimed ? null : row.last_error,
			status: sent
				? 'sent'
				: givenUp
					? 'failed'
					: claimed && !row.claim_expired
						? 'sending'
						: 'pending'
		};
	});
}
