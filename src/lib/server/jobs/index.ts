import { createTransport } from 'nodemailer';
import { PgBoss, fromKysely, type Db as BossDb } from 'pg-boss';
import type { Db } from '$lib/server/db';
import { TIME_ZONE } from '$lib/time';
import { DEFAULT_MAIL_FROM, deliverPendingEmail } from '$lib/server/notify/email.service';
import {
	runHousekeeping,
	runPlanningHousekeeping
} from '$lib/server/housekeeping/housekeeping.service';
import { writeAnchor } from '$lib/server/audit/audit.anchor';
import { startAuditChain, stopAuditChain } from '$lib/server/audit/audit.chain';
import { chainPendingAudit } from '$lib/server/audit/audit.service';
import type { AuditKey } from '$lib/server/audit/audit.key';
import { startReminders, stopReminders } from '$lib/server/planning/reminders';
import { runTriageHousekeeping } from '$lib/server/triage/triage.service';
import { startPush, stopPush } from '$lib/server/push/push.service';
import { runDigests } from '$lib/server/referent/digest.service';

export const EMAIL_QUEUE = 'email.deliver';
export const HOUSEKEEPING_QUEUE = 'housekeeping.daily';
export const AUDIT_ANCHOR_QUEUE = 'audit.anchor';
export const PLANNING_QUEUE = 'planning.expire';
export const TRIAGE_QUEUE = 'triage.retention';
export const DIGEST_QUEUE = 'referent.digest';
/** Every morning at 07:00 Amsterdam time: each referent's digest of what changed since the last. */
export const DIGEST_CRON = '0 7 * * *';
/** Every hour: unsent drafts go a day after they were started, documents after their retention period. */
export const TRIAGE_CRON = '17 * * * *';
/** Every five minutes: an offer's hold (2 hours) ends at most this late. */
export const PLANNING_CRON = '*/5 * * * *';
const EMAIL_BATCH = 100;

export interface JobsOptions {
	/** True on PGlite. */
	embedded: boolean;
	/** e.g. smtp://user:pass@host:2525; without it no e-mail leaves, and the outbox keeps it. */
	smtpUrl?: string;
	/** The sender; defaults to env MAIL_FROM, then DEFAULT_MAIL_FROM. */
	mailFrom?: string;
	/** Writes the audit head outside the database every minute: a log line, and the file when set. */
	auditAnchor?: { key: AuditKey; file: string | null };
}

export interface Jobs {
	/** The queue itself, for reading what is scheduled. */
	boss: PgBoss;
	stop(): Promise<void>;
}

let emailWorker: { boss: PgBoss; workerId: string } | null = null;

/**
 * Starts pg-boss on the application's own database connection and, with an SMTP server, the worker
 * that empties the e-mail outbox: woken by `sendEmailNudge()` and, as a safety net, every minute.
 * Call `stop()` before closing the database.
 */
export async function startJobs(db: Db, options: JobsOptions): Promise<Jobs> {
	const boss = new PgBoss({ db: kyselyDb(db), backend: options.embedded ? 'pglite' : 'postgres' });
	boss.on('error', (err) => console.error('Jobs:', err));
	await boss.start();
	const stopping = new AbortController();
	let transport: ReturnType<typeof createTransport> | undefined;
	let stopped: Promise<void> | undefined;
	const jobs: Jobs = {
		boss,
		stop() {
			stopped ??= (async () => {
				if (emailWorker?.boss === boss) emailWorker = null;
				await stopReminders(boss);
				stopPush(boss);
				await stopAuditChain();
				// Breaks off a delivery run at once (the message in flight goes back to the outbox), so
				// the graceful wait below is short and no query runs after the database closes.
				stopping.abort();
				await boss.stop({ graceful: true, timeout: 2000 });
				transport?.close();
			})();
			return stopped;
		}
	};
	try {
		await scheduleHousekeeping(boss, db);
		await schedulePlanning(boss, db);
		await scheduleTriage(boss, db);
		await scheduleDigests(boss, db);
		await startReminders(boss, db);
		await startPush(boss, db);
		startAuditChain(db);
		if (options.auditAnchor) await startAuditAnchor(boss, db, options.auditAnchor);
		if (!options.smtpUrl) {
			// An earlier run with SMTP left its schedule behind; nothing here would work its jobs.
			await boss.unschedule(EMAIL_QUEUE);
			console.log('E-mail: SMTP_URL is not set, so messages stay in the outbox.');
			return jobs;
		}
		const mail = createTransport({
			url: options.smtpUrl,
			connectionTimeout: 10_000,
			greetingTimeout: 10_000,
			socketTimeout: 30_000
		});
		transport = mail;
		const from = options.mailFrom ?? (process.env.MAIL_FROM || DEFAULT_MAIL_FROM);
		// stately: one run at a time across all instances, and one more waiting for what arrives meanwhile.
		await boss.createQueue(EMAIL_QUEUE, {
			policy: 'stately',
			retryLimit: 0,
			expireInSeconds: 600,
			deleteAfterSeconds: 3600
		});
		const workerId = await boss.work(EMAIL_QUEUE, { pollingIntervalSeconds: 5 }, async ([job]) => {
			const result = await deliverPendingEmail(db, mail, {
				limit: EMAIL_BATCH,
				from,
				signal: AbortSignal.any([job.signal, stopping.signal])
			});
			if (result.failed)
				console.warn(
					`E-mail: ${result.failed} message(s) not delivered this run; they stay in the outbox.`
				);
			if (result.sent + result.failed === EMAIL_BATCH) await boss.send(EMAIL_QUEUE);
			return result;
		});
		await boss.schedule(EMAIL_QUEUE, '* * * * *');
		emailWorker = { boss, workerId };
		await sendEmailNudge();
		return jobs;
	} catch (err) {
		await jobs.stop();
		throw err;
	}
}

/** Every night at 03:30 Amsterdam time, on one instance: expired sessions, limits, links and codes go. */
async function scheduleHousekeeping(boss: PgBoss, db: Db): Promise<void> {
	await boss.createQueue(HOUSEKEEPING_QUEUE, {
		policy: 'singleton',
		retryLimit: 2,
		deleteAfterSeconds: 7 * 24 * 3600
	});
	await boss.work(HOUSEKEEPING_QUEUE, async () => {
		const result = await runHousekeeping(db);
		console.log(`Housekeeping: deleted ${JSON.stringify(result)}`);
		return result;
	});
	await boss.schedule(HOUSEKEEPING_QUEUE, '30 3 * * *', null, { tz: TIME_ZONE });
}

/** Every five minutes, on one instance: invitations past their date expire, held offers pass on. */
async function schedulePlanning(boss: PgBoss, db: Db): Promise<void> {
	// singleton: one run at a time across all instances; a missed run is made up by the next.
	await boss.createQueue(PLANNING_QUEUE, {
		policy: 'singleton',
		retryLimit: 0,
		expireInSeconds: 240,
		deleteAfterSeconds: 3600
	});
	await boss.work(PLANNING_QUEUE, async () => {
		const result = await runPlanningHousekeeping(db);
		if (result.invitations || result.offers)
			console.log(`Planning: expired ${JSON.stringify(result)}`);
		return result;
	});
	await boss.schedule(PLANNING_QUEUE, PLANNING_CRON, null, { tz: TIME_ZONE });
}

/** Every hour, on one instance: triage documents past their retention, and drafts never sent. */
async function scheduleTriage(boss: PgBoss, db: Db): Promise<void> {
	await boss.createQueue(TRIAGE_QUEUE, {
		policy: 'singleton',
		retryLimit: 1,
		expireInSeconds: 600,
		deleteAfterSeconds: 7 * 24 * 3600
	});
	await boss.work(TRIAGE_QUEUE, async () => {
		const result = await runTriageHousekeeping(db);
		if (result.documents || result.drafts) console.log(`Triage: deleted ${JSON.stringify(result)}`);
		return result;
	});
	await boss.schedule(TRIAGE_QUEUE, TRIAGE_CRON, null, { tz: TIME_ZONE });
}

/**
 * Every morning, on one instance: each referent member's digest of the changes since the last.
 * The service also guards each subscription in the database, so a second run sends nothing twice.
 */
async function scheduleDigests(boss: PgBoss, db: Db): Promise<void> {
	await boss.createQueue(DIGEST_QUEUE, {
		policy: 'singleton',
		retryLimit: 2,
		retryDelay: 300,
		expireInSeconds: 3600,
		deleteAfterSeconds: 7 * 24 * 3600
	});
	await boss.work(DIGEST_QUEUE, async () => {
		const result = await runDigests(db);
		if (result.sent) {
			console.log(`Referent digest: ${result.sent} e-mail(s) queued`);
			await sendEmailNudge();
		}
		return result;
	});
	await boss.schedule(DIGEST_QUEUE, DIGEST_CRON, null, { tz: TIME_ZONE });
}

async function startAuditAnchor(
	boss: PgBoss,
	db: Db,
	anchor: { key: AuditKey; file: string | null }
): Promise<void> {
	// The anchor covers the rows still pending: they are chained first.
	const write = async () => {
		await chainPendingAudit(db);
		await writeAnchor(db, anchor.key, { file: anchor.file });
	};
	// singleton: one run at a time across all instances; a missed minute is not worth a retry.
	await boss.createQueue(AUDIT_ANCHOR_QUEUE, {
		policy: 'singleton',
		retryLimit: 0,
		expireInSeconds: 60,
		deleteAfterSeconds: 3600
	});
	await boss.work(AUDIT_ANCHOR_QUEUE, { pollingIntervalSeconds: 10 }, async () => {
		await write();
	});
	await boss.schedule(AUDIT_ANCHOR_QUEUE, '* * * * *');
	// The head at start-up, so there is an anchor before the first minute passes.
	await write();
}

/**
 * Asks for a delivery run soon, for messages just queued. Call it after the transaction that
 * queued them commits (on PGlite, awaiting it inside that transaction would wait forever). It
 * never throws: the minutely run delivers the message anyway.
 */
export async function sendEmailNudge(): Promise<void> {
	const worker = emailWorker;
	if (!worker) return;
	try {
		await worker.boss.send(EMAIL_QUEUE);
		worker.boss.notifyWorker(worker.workerId);
	} catch (err) {
		console.error('E-mail: could not ask for a delivery run', err);
	}
}

/**
 * pg-boss on our Kysely instance, so that it shares the pool (and PGlite's one connection).
 * pg-boss's own fromKysely() cannot run its multi-statement blocks: PGlite prepares every query,
 * which allows one statement, and pg returns one result per statement, which Kysely drops. Those
 * blocks are split here and run in order on one connection, in a transaction as PostgreSQL would.
 */
function kyselyDb(db: Db): BossDb {
	const direct = fromKysely(db);
	return {
		async executeSql(text, values) {
			if (values?.length) return direct.executeSql(text, values);
			const statements = splitStatements(text);
			if (statements.length <= 1) return direct.executeSql(text);
			return db.connection().execute(async (connection) => {
				const run = fromKysely(connection);
				const block = /^(begin|start\s+transaction)\b/i.test(statements[0])
					? statements
					: ['begin', ...statements, 'commit'];
				const rows: unknown[] = [];
				try {
					for (const statement of block) rows.push(...(await run.executeSql(statement)).rows);
				} catch (err) {
					await run.executeSql('rollback').catch(() => {});
					throw err;
				}
				return { rows };
			});
		}
	};
}

const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/y;

/** Splits SQL at the semicolons that end statements: not those in quotes, dollar quotes or comments. */
export function splitStatements(text: string): string[] {
	const statements: string[] = [];
	let start = 0;
	let content = false;
	let i = 0;
	const end = () => {
		if (content) statements.push(text.slice(start, i).trim());
		content = false;
		start = i + 1;
	};
	while (i < text.length) {
		const c = text[i];
		if (c === '-' && text[i + 1] === '-') {
			const eol = text.indexOf('\n', i);
			i = eol === -1 ? text.length : eol + 1;
		} else if (c === '/' && text[i + 1] === '*') {
			let depth = 1;
			i += 2;
			while (i < text.length && depth > 0) {
				if (text.startsWith('/*', i)) depth += 1;
				else if (text.startsWith('*/', i)) depth -= 1;
				else {
					i += 1;
					continue;
				}
				i += 2;
			}
		} else if (c === "'" || c === '"') {
			content = true;
			const backslashes =
				c === "'" && /[eE]/.test(text[i - 1] ?? '') && !/[\w$]/.test(text[i - 2] ?? '');
			i += 1;
			while (i < text.length) {
				if (backslashes && text[i] === '\\') i += 2;
				else if (text[i] === c && text[i + 1] === c) i += 2;
				else if (text[i] === c) break;
				else i += 1;
			}
			i += 1;
		} else if (c === '$' && !/[\w$]/.test(text[i - 1] ?? '')) {
			content = true;
			DOLLAR_TAG.lastIndex = i;
			const tag = DOLLAR_TAG.exec(text)?.[0];
			if (tag) {
				const close = text.indexOf(tag, i + tag.length);
				i = close === -1 ? text.length : close + tag.length;
			} else {
				i += 1;
			}
		} else if (c === ';') {
			end();
			i += 1;
		} else {
			if (!/\s/.test(c)) content = true;
			i += 1;
		}
	}
	end();
	return statements;
}
