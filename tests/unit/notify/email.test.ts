import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTransport } from 'nodemailer';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { Db } from '$lib/server/db';
import { deliverPendingEmail, findOutbox, queueEmail } from '$lib/server/notify/email.service';
import { sendEmailNudge, splitStatements, startJobs } from '$lib/server/jobs';
import { describeEachEngine } from '../helpers/engines';

interface Received {
	from: string;
	to: string[];
	user: string | undefined;
	/** Headers and body, quoted-printable undone. */
	text: string;
}

interface TestSmtp {
	url: string;
	received: Received[];
	close(): Promise<void>;
}

const servers: TestSmtp[] = [];

/** A real SMTP server on a free port that keeps every message it accepts. */
async function startSmtp(options: Partial<SMTPServerOptions> = {}): Promise<TestSmtp> {
	const received: Received[] = [];
	const server = new SMTPServer({
		authOptional: true,
		allowInsecureAuth: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				received.push({
					from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
					to: session.envelope.rcptTo.map((r) => r.address),
					user: session.user as string | undefined,
					text: decodeQuotedPrintable(Buffer.concat(chunks).toString('latin1'))
				});
				callback();
			});
		},
		...options
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.server.address() as AddressInfo;
	const smtp: TestSmtp = {
		url: `smtp://mailer:secret@127.0.0.1:${port}`,
		received,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
	servers.push(smtp);
	return smtp;
}

function decodeQuotedPrintable(raw: string): string {
	const bytes = raw
		.replace(/=\r?\n/g, '')
		.replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
	return Buffer.from(bytes, 'latin1').toString('utf8');
}

async function until<T>(probe: () => Promise<T | undefined | null | false>, ms = 5000): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

function outboxRow(db: Db, id: number) {
	return db.selectFrom('email_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

let mailbox = 0;
function newAddress(): string {
	mailbox += 1;
	return `applicant${mailbox}.${process.pid}@example.org`;
}

afterAll(async () => {
	await Promise.all(servers.map((s) => s.close()));
});

describeEachEngine('e-mail', ({ db, engine }) => {
	afterEach(async () => {
		// Later tests start their own delivery runs; leave them nothing from this one.
		await db()
			.updateTable('email_outbox')
			.set({ sent_at: new Date() })
			.where('sent_at', 'is', null)
			.execute();
	});

	it('renders the password reset in Dutch and in English, with the name and the link', async () => {
		const link = 'https://mijn-aanvraag.example/auth/reset/abc123';
		const queueIn = (lang: string) =>
			queueEmail(db(), {
				to: 'amal@example.org',
				template: 'password_reset',
				lang,
				params: { link, name: 'Amal Haddad' }
			});
		const nlId = await queueIn('nl');
		const enId = await queueIn('en');
		const arId = await queueIn('ar');
		const tiId = await queueIn('ti');
		const deId = await queueIn('de');

		const nl = await outboxRow(db(), nlId);
		expect(nl.subject).toBe('Nieuw wachtwoord instellen voor Mijn Aanvraag');
		expect(nl.body_text).toContain('Beste Amal Haddad,');
		expect(nl.body_text).toContain(`\n${link}\n`);
		expect(nl.body_text).toContain('De link werkt 1 keer en is 1 uur geldig.');
		expect(nl.body_text).toContain(
			'Heeft u niet zelf om een nieuw wachtwoord gevraagd? Dan hoeft u niets te doen.'
		);
		expect(nl).toMatchObject({
			to_address: 'amal@example.org',
			sent_at: null,
			attempts: 0,
			last_error: null
		});

		const en = await outboxRow(db(), enId);
		expect(en.subject).toBe('Set a new password for Mijn Aanvraag');
		expect(en.body_text).toContain('Dear Amal Haddad,');
		expect(en.body_text).toContain(`\n${link}\n`);
		expect(en.body_text).toContain('The link works once and is valid for 1 hour.');

		const ar = await outboxRow(db(), arId);
		expect(ar.subject).toContain('Mijn Aanvraag');
		expect(ar.subject).not.toBe(nl.subject);
		expect(ar.body_text).toContain(`\n${link}\n`);

		const ti = await outboxRow(db(), tiId);
		expect(ti.subject).toMatch(/\p{Script=Ethiopic}/u);
		expect(ti.body_text).toContain(`\n${link}\n`);

		// A language without e-mail texts gets the default language.
		expect((await outboxRow(db(), deId)).subject).toBe(nl.subject);
	});

	it('queues in the caller’s transaction: nothing is left when it rolls back', async () => {
		const to = newAddress();
		await expect(
			db()
				.transaction()
				.execute(async (trx) => {
					await queueEmail(trx, {
						to,
						template: 'password_reset',
						lang: 'nl',
						params: { link: 'https://x.example/r/1', name: 'A' }
					});
					throw new Error('rolled back');
				})
		).rejects.toThrow('rolled back');
		expect(
			await db().selectFrom('email_outbox').select('id').where('to_address', '=', to).execute()
		).toEqual([]);
	});

	it('delivers to an SMTP server, oldest first, and marks the messages sent', async () => {
		const smtp = await startSmtp();
		const transport = createTransport(smtp.url);
		const [first, second] = [newAddress(), newAddress()];
		const link = `https://mijn-aanvraag.example/auth/reset/${'k'.repeat(32)}`;
		const firstId = await queueEmail(db(), {
			to: first,
			template: 'password_reset',
			lang: 'en',
			params: { link, name: 'Sam de Vries' }
		});
		const secondId = await queueEmail(db(), {
			to: second,
			template: 'password_reset',
			lang: 'nl',
			params: { link: `${link}2`, name: 'Jan' }
		});

		expect(await deliverPendingEmail(db(), transport, { from: 'Test <test@example.org>' })).toEqual(
			{ sent: 2, failed: 0 }
		);

		expect(smtp.received.map((m) => m.to)).toEqual([[first], [second]]);
		const [message] = smtp.received;
		expect(message.from).toBe('test@example.org');
		expect(message.user).toBe('mailer');
		expect(message.text).toContain('Subject: Set a new password for Mijn Aanvraag');
		expect(message.text).toContain(link);
		expect(message.text).toContain('Dear Sam de Vries,');
		expect(smtp.received[1].text).toContain('Nieuw wachtwoord instellen voor Mijn Aanvraag');

		for (const id of [firstId, secondId]) {
			const row = await outboxRow(db(), id);
			expect(row.sent_at).toBeInstanceOf(Date);
			expect(row).toMatchObject({ attempts: 1, last_error: null });
		}
		expect((await findOutbox(db(), 2)).map((m) => [m.id, m.status])).toEqual([
			[secondId, 'sent'],
			[firstId, 'sent']
		]);
		// Nothing is sent twice.
		expect(await deliverPendingEmail(db(), transport)).toEqual({ sent: 0, failed: 0 });
	});

	it('leaves a refused message unsent, counts the attempt and keeps the error', async () => {
		const refused = newAddress();
		const accepted = newAddress();
		const smtp = await startSmtp({
			onRcptTo(address, _session, callback) {
				if (address.address !== refused) return callback();
				callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
			}
		});
		const refusedId = await queueEmail(db(), {
			to: refused,
			template: 'password_reset',
			lang: 'nl',
			params: { link: 'https://x.example/r/2', name: 'B' }
		});
		const acceptedId = await queueEmail(db(), {
			to: accepted,
			template: 'password_reset',
			lang: 'nl',
			params: { link: 'https://x.example/r/3', name: 'C' }
		});

		// A refused recipient is about that message only: the next one still goes.
		expect(await deliverPendingEmail(db(), createTransport(smtp.url))).toEqual({
			sent: 1,
			failed: 1
		});

		const row = await outboxRow(db(), refusedId);
		expect(row.sent_at).toBeNull();
		expect(row.attempts).toBe(1);
		expect(row.last_error).toMatch(/550.*Mailbox unavailable/);
		expect((await outboxRow(db(), acceptedId)).sent_at).toBeInstanceOf(Date);
		expect(smtp.received.map((m) => m.to)).toEqual([[accepted]]);
		expect((await findOutbox(db(), 5)).find((m) => m.id === refusedId)).toMatchObject({
			status: 'pending',
			attempts: 1,
			sentAt: null
		});

		// The next attempt waits a minute after queueing, so a burst of runs does not use them up.
		expect(await deliverPendingEmail(db(), createTransport(smtp.url))).toEqual({
			sent: 0,
			failed: 0
		});
	});

	it('stops a run at a mail server that does not answer, without using up the other messages', async () => {
		const ids = [];
		for (let i = 0; i < 3; i++)
			ids.push(
				await queueEmail(db(), {
					to: newAddress(),
					template: 'password_reset',
					lang: 'en',
					params: { link: 'https://x.example/r/4', name: 'D' }
				})
			);
		const nowhere = createTransport({ host: '127.0.0.1', port: 1, connectionTimeout: 1000 });
		expect(await deliverPendingEmail(db(), nowhere)).toEqual({ sent: 0, failed: 1 });
		const rows = await Promise.all(ids.map((id) => outboxRow(db(), id)));
		expect(rows.map((r) => r.attempts)).toEqual([1, 0, 0]);
		expect(rows[0].last_error).toMatch(/ECONNREFUSED/);
		expect(rows.every((r) => r.sent_at === null)).toBe(true);
	});

	it('lets two delivery runs at once send each message once', async () => {
		const smtp = await startSmtp();
		const ids = [];
		for (let i = 0; i < 6; i++)
			ids.push(
				await queueEmail(db(), {
					to: newAddress(),
					template: 'password_reset',
					lang: 'nl',
					params: { link: `https://x.example/r/5${i}`, name: 'E' }
				})
			);
		const results = await Promise.all([
			deliverPendingEmail(db(), createTransport(smtp.url)),
			deliverPendingEmail(db(), createTransport(smtp.url))
		]);
		expect(results[0].sent + results[1].sent).toBe(6);
		expect(smtp.received).toHaveLength(6);
		expect(new Set(smtp.received.map((m) => m.to[0])).size).toBe(6);
	});

	it(`runs as a pg-boss job: a nudge delivers within seconds, and stop() is quick`, async () => {
		const smtp = await startSmtp();
		const jobs = await startJobs(db(), {
			embedded: engine === 'pglite',
			smtpUrl: smtp.url,
			mailFrom: 'Mijn Aanvraag <no-reply@test.example>'
		});
		try {
			const to = newAddress();
			const link = 'https://mijn-aanvraag.example/auth/reset/job';
			const id = await db()
				.transaction()
				.execute((trx) =>
					queueEmail(trx, {
						to,
						template: 'password_reset',
						lang: 'en',
						params: { link, name: 'F' }
					})
				);
			const queuedAt = Date.now();
			await sendEmailNudge();
			const row = await until(async () => {
				const r = await outboxRow(db(), id);
				return r.sent_at && r.last_error === null ? r : null;
			}, 5000);
			console.log(`[${engine}] delivered ${Date.now() - queuedAt} ms after the nudge`);
			expect(row.attempts).toBe(1);
			const message = smtp.received.find((m) => m.to[0] === to);
			expect(message?.from).toBe('no-reply@test.example');
			expect(message?.text).toContain('Subject: Set a new password for Mijn Aanvraag');
			expect(message?.text).toContain(link);
		} finally {
			const began = Date.now();
			await jobs.stop();
			const took = Date.now() - began;
			console.log(`[${engine}] stop() took ${took} ms`);
			expect(took).toBeLessThan(5000);
		}
	});

	it('breaks off a delivery in flight when stopped, and puts the message back', async () => {
		let dataStarted = false;
		const smtp = await startSmtp({
			// Takes the message and never answers, like a mail server that hangs.
			onData(stream) {
				dataStarted = true;
				stream.resume();
			}
		});
		const jobs = await startJobs(db(), { embedded: engine === 'pglite', smtpUrl: smtp.url });
		const id = await queueEmail(db(), {
			to: newAddress(),
			template: 'password_reset',
			lang: 'nl',
			params: { link: 'https://x.example/r/6', name: 'G' }
		});
		await sendEmailNudge();
		await until(async () => dataStarted, 5000);
		expect(await findOutbox(db(), 1)).toMatchObject([{ id, status: 'sending' }]);

		const began = Date.now();
		await jobs.stop();
		const took = Date.now() - began;
		console.log(`[${engine}] stop() during a send took ${took} ms`);
		expect(took).toBeLessThan(5000);
		expect(await outboxRow(db(), id)).toMatchObject({
			sent_at: null,
			attempts: 0,
			last_error: 'interrupted by shutdown'
		});
	});

	it('without SMTP starts no e-mail worker: messages stay in the outbox', async () => {
		const jobs = await startJobs(db(), { embedded: engine === 'pglite' });
		try {
			const id = await queueEmail(db(), {
				to: newAddress(),
				template: 'password_reset',
				lang: 'nl',
				params: { link: 'https://x.example/r/7', name: 'H' }
			});
			await sendEmailNudge();
			await new Promise((resolve) => setTimeout(resolve, 500));
			expect((await findOutbox(db(), 1))[0]).toMatchObject({ id, status: 'pending', attempts: 0 });
		} finally {
			await jobs.stop();
		}
	});
});

describe('splitting pg-boss SQL into statements', () => {
	it('splits at semicolons outside quotes, dollar quotes and comments', () => {
		const text = `
			BEGIN;
			-- a comment; not a statement
			SELECT 'a;b', "odd;name", E'it\\'s;';
			/* block; /* nested; */ still; */
			CREATE FUNCTION f() RETURNS void AS $body$ BEGIN PERFORM 1; END $body$ LANGUAGE plpgsql;
			SELECT pgboss.job_table_run($cmd$ALTER TABLE t ADD x int; $cmd$, 'job');
			SELECT $$;$$;
			COMMIT;
		`;
		expect(splitStatements(text)).toEqual([
			'BEGIN',
			`-- a comment; not a statement\n\t\t\tSELECT 'a;b', "odd;name", E'it\\'s;'`,
			`/* block; /* nested; */ still; */\n\t\t\tCREATE FUNCTION f() RETURNS void AS $body$ BEGIN PERFORM 1; END $body$ LANGUAGE plpgsql`,
			`SELECT pgboss.job_table_run($cmd$ALTER TABLE t ADD x int; $cmd$, 'job')`,
			'SELECT $$;$$',
			'COMMIT'
		]);
		expect(splitStatements('SELECT 1')).toEqual(['SELECT 1']);
		expect(splitStatements('SELECT $1, $2;')).toEqual(['SELECT $1, $2']);
	});
});
