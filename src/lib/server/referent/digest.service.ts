import type { Db } from '$lib/server/db';
import type { Principal } from '$lib/server/auth/principal';
import { actorOf } from '$lib/server/auth/principal';
import { recordAudit } from '$lib/server/audit/audit.service';
import { queueEmail } from '$lib/server/notify/email.service';
import { defaultLanguage } from '$lib/i18n/languages';
import { pageLanguagesOf } from '$lib/access';
import { formatDateTime, formatNumber } from '$lib/i18n/format';
import { dutchDate } from '$lib/time';
import { describeChange, type DigestCase } from '$lib/components/digestChanges';
import {
	findDatabaseClock,
	findDigestChanges,
	findDigestSettings,
	lockNextDueDigest,
	markDigestRun,
	upsertDigestSetting
} from './digest.repository';

/** The most cases one digest (or its preview) lists; the rest are counted, and /referent shows them. */
export const DIGEST_MAX_CASES = 100;
/**
 * A run reports what arrived up to this long before it, by the database's clock. An event batch
 * is stamped when its transaction starts and visible once it commits: a batch still committing
 * as the run reads would be stamped before the new watermark and never be reported.
 */
export const DIGEST_SETTLE_MS = 5 * 60_000;

export interface DigestSetting {
	kvk: string;
	name: string;
	enabled: boolean;
	/** ISO 8601; null when no digest went out yet. */
	lastSentAt: string | null;
	/** What the next digest lists so far, while it is on. */
	preview: { since: string; cases: DigestCase[]; total: number } | null;
}

type ChangeRows = Awaited<ReturnType<typeof findDigestChanges>>['rows'];

function toCases(rows: ChangeRows): DigestCase[] {
	return rows.map((r) => ({
		reference: r.reference,
		applicantName: r.applicant_name,
		product: r.product_code,
		changes: r.events.map((e) => ({
			type: e.type,
			occurredAt: new Date(e.occurred_at).toISOString(),
			data: (e.data ?? {}) as Record<string, unknown>
		}))
	}));
}

function referentGrant(user: Principal, kvk: string) {
	return user.roles.find(
		(r) =>
			(r.role === 'referent_admin' || r.role === 'referent_member') && r.organisationKvk === kvk
	);
}

/**
 * The member's digest for each of their organisations: on or off, when the last one went out,
 * and while it is on, the changes the next one would list so far. Reading the preview is
 * audited as one row per organisation, like the list.
 */
export async function getDigestSettings(
	db: Db,
	user: Principal,
	ip: string | null
): Promise<DigestSetting[]> {
	const settings = await findDigestSettings(db, user.id);
	return Promise.all(
		settings.map(async (s) => {
			const enabled = s.enabled === true;
			let preview: DigestSetting['preview'] = null;
			if (enabled && s.reported_until) {
				const found = await findDigestChanges(db, s.kvk, s.reported_until, null, DIGEST_MAX_CASES);
				const grant = referentGrant(user, s.kvk);
				if (grant && found.total > 0)
					await recordAudit(db, actorOf(user, grant.role, ip), {
						action: 'referent.digest_preview',
						details: { cases: found.total }
					});
				preview = {
					since: s.reported_until.toISOString(),
					cases: toCases(found.rows),
					total: found.total
				};
			}
			return {
				kvk: s.kvk,
				name: s.name,
				enabled,
				lastSentAt: s.last_sent_at?.toISOString() ?? null,
				preview
			};
		})
	);
}

/**
 * Turns the digest on for the organisations in `enabled` and off for the member's others. An
 * organisation the member is not a referent of is ignored.
 */
export async function setDigest(
	db: Db,
	user: Principal,
	enabled: readonly string[]
): Promise<void> {
	const settings = await findDigestSettings(db, user.id);
	await db.transaction().execute(async (trx) => {
		for (const s of settings)
			await upsertDigestSetting(trx, user.id, s.organisationId, enabled.includes(s.kvk));
	});
}

/** The referent pages' languages; the e-mail is in the member's one of them, or else in Dutch. */
function digestLanguage(language: string): string {
	const { page } = pageLanguagesOf('/referent');
	return page === 'all' || page.includes(language) ? language : defaultLanguage;
}

export interface DigestMail {
	name: string;
	organisation: string;
	kvk: string;
	lang: string;
	cases: DigestCase[];
	total: number;
	since: Date;
	origin: string;
}

/** The digest's parameters: the summary line and, per case, its heading, changes and link. */
async function digestParams(mail: DigestMail) {
	const { lang, origin } = mail;
	// Loaded on first use, as the e-mail templates load it: $lib/i18n needs Vite, and the server
	// starts its jobs under plain Node too (tsx).
	const { translator } = await import('$lib/i18n');
	const t = translator(lang);
	const blocks = mail.cases.map((c) => {
		const product = t(`domain:product.${c.product}.name`, { defaultValue: c.product });
		return [
			`${c.reference} – ${c.applicantName} – ${product}`,
			...c.changes.map((change) => `- ${describeChange(t, lang, mail.kvk, c.product, change)}`),
			`${origin}/referent/cases/${c.reference}`
		].join('\n');
	});
	const more = mail.total - mail.cases.length;
	if (more > 0)
		blocks.push(
			t('referent:digest.email.more', { count: more, formatted: formatNumber(lang, more) })
		);
	return {
		name: mail.name,
		organisation: mail.organisation,
		summary: t('referent:digest.email.summary', {
			count: mail.total,
			formatted: formatNumber(lang, mail.total),
			organisation: mail.organisation,
			since: formatDateTime(lang, mail.since)
		}),
		changes: blocks.join('\n\n'),
		link: `${origin}/referent`,
		settings: `${origin}/referent/digest`
	};
}

export interface DigestRunOptions {
	/** The moment of the run: its Dutch day is the one each subscription runs once on. */
	now?: Date;
	/** How long before the database's clock the run stops reporting; DIGEST_SETTLE_MS. */
	settleMs?: number;
	/** Where links in the e-mail start; by default ORIGIN, as the server's own links. */
	origin?: string;
}

export interface DigestRunResult {
	/** Digests queued to the outbox. */
	sent: number;
	/** Subscriptions that had nothing to report, or whose account may no longer receive it. */
	empty: number;
}

function mailOrigin(env: NodeJS.ProcessEnv = process.env): string {
	return env.ORIGIN ? new URL(env.ORIGIN).origin : `http://localhost:${env.PORT ?? 5173}`;
}

/**
 * The daily run: for every subscription that is on and has not run today, the changes since its
 * watermark on the cases its organisation sponsors now, as one e-mail in the member's language.
 * Each subscription is locked, e-mailed, audited and moved on in one transaction; with nothing to
 * report, or an account that is disabled or no longer a referent of the organisation, no e-mail
 * goes and the watermark still moves. Any number of app servers may run it at once: a locked
 * subscription is skipped, and one that ran today is not taken again. Call `sendEmailNudge()`
 * afterwards.
 */
export async function runDigests(db: Db, options: DigestRunOptions = {}): Promise<DigestRunResult> {
	const now = options.now ?? new Date();
	const origin = options.origin ?? mailOrigin();
	const today = dutchDate(now);
	// On the clock that stamps received_at, so that an app server's clock running ahead or
	// behind never skips an event nor reports one twice.
	const clock = await findDatabaseClock(db);
	const until = new Date(clock.getTime() - (options.settleMs ?? DIGEST_SETTLE_MS));
	const result: DigestRunResult = { sent: 0, empty: 0 };
	for (;;) {
		const outcome = await db.transaction().execute(async (trx) => {
			const due = await lockNextDueDigest(trx, today);
			if (!due) return null;
			const reportedUntil = due.reported_until > until ? due.reported_until : until;
			const eligible = due.disabled_at === null && due.role !== null;
			const found = eligible
				? await findDigestChanges(trx, due.kvk, due.reported_until, until, DIGEST_MAX_CASES)
				: { rows: [], total: 0 };
			if (found.total > 0) {
				const lang = digestLanguage(due.language);
				await queueEmail(trx, {
					to: due.email,
					template: 'referent_digest',
					lang,
					params: await digestParams({
						name: due.display_name,
						organisation: due.organisation_name,
						kvk: due.kvk,
						lang,
						cases: toCases(found.rows),
						total: found.total,
						since: due.reported_until,
						origin
					})
				});
				await recordAudit(
					trx,
					{
						userId: due.user_id,
						role: due.role!,
						organisation: due.organisation_name,
						desk: null,
						ip: null
					},
					{ action: 'referent.digest', details: { cases: found.total } }
				);
			}
			await markDigestRun(trx, due.user_id, due.organisation_id, {
				reportedUntil,
				today,
				sentAt: found.total > 0 ? now : null
			});
			return found.total > 0 ? 'sent' : 'empty';
		});
		if (outcome === null) return result;
		result[outcome] += 1;
	}
}
