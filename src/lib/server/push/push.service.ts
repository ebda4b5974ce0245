/**
 * Web push (RFC 8030), encrypted with aes128gcm (RFC 8291) and signed with VAPID (RFC 8292) by
 * `@block65/webcrypto-web-push`, sent with `fetch` from a pg-boss job: a slow push service never
 * holds up the request or transaction that caused the message.
 *
 * A message says only what may show on a locked screen: a title and one sentence in the account's
 * language, with no name, reference or date, and the page to open (`/cases`).
 */
import { buildPushPayload, type PushSubscription } from '@block65/webcrypto-web-push';
import type { Transaction } from 'kysely';
import { fromKysely, type PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Database, Db } from '$lib/server/db';
import { pushErrors } from './push.errors';
import * as repo from './push.repository';

type Trx = Transaction<Database>;

export const PUSH_QUEUE = 'push.send';
/** How long a push service keeps a message for a device that is offline. */
export const PUSH_TTL_SECONDS = 24 * 3600;
const SEND_TIMEOUT_MS = 10_000;

export const PUSH_KINDS = [
	'stage_changed',
	'hearing_invited',
	'hearing_reminder',
	'triage_decided',
	'waitlist_offer'
] as const;
export type PushKind = (typeof PUSH_KINDS)[number];

export interface PushJob {
	subscriptionId: number;
	kind: PushKind;
}

/** What the device receives, decrypted: the service worker shows `title` and `body`. */
export interface PushPayload {
	title: string;
	body: string;
	url: string;
	tag: PushKind;
}

// VAPID keys ---------------------------------------------------------------------------------

export interface VapidKeys {
	/** The uncompressed P-256 point, base64url (the browser's applicationServerKey). */
	publicKey: string;
	/** The private scalar d, base64url. */
	privateKey: string;
	/** A mailto: or https: contact for push services (RFC 8292 §2.1). */
	subject: string;
}

let cachedKeys: { db: Db; keys: Promise<VapidKeys> } | null = null;

/**
 * VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY when both are set; otherwise the pair in the database,
 * made by whichever server needs it first (`on conflict do nothing`, then read: all agree).
 */
export function vapidKeys(db: Db, env: NodeJS.ProcessEnv = process.env): Promise<VapidKeys> {
	if (cachedKeys?.db === db) return cachedKeys.keys;
	const keys = loadVapidKeys(db, env);
	cachedKeys = { db, keys };
	keys.catch(() => {
		if (cachedKeys?.keys === keys) cachedKeys = null;
	});
	return keys;
}

export function vapidSubject(env: NodeJS.ProcessEnv = process.env): string {
	if (env.VAPID_SUBJECT) return env.VAPID_SUBJECT;
	const origin = env.ORIGIN ? new URL(env.ORIGIN) : null;
	return origin?.protocol === 'https:' ? origin.origin : 'mailto:no-reply@mijn-aanvraag.example';
}

/** As `vapidKeys`, without the cache. */
export async function loadVapidKeys(db: Db, env: NodeJS.ProcessEnv): Promise<VapidKeys> {
	const subject = vapidSubject(env);
	if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY)
		return { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject };
	let stored = await repo.findVapidKeys(db);
	if (!stored) {
		await repo.insertVapidKeysIfAbsent(db, await generateVapidKeys());
		stored = await repo.findVapidKeys(db);
		if (!stored) throw new Error('push: the VAPID key pair was not stored');
	}
	return { publicKey: stored.public_key, privateKey: stored.private_key, subject };
}

export async function generateVapidKeys(): Promise<{ public_key: string; private_key: string }> {
	const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
		'sign',
		'verify'
	]);
	const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
	const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
	return { public_key: Buffer.from(raw).toString('base64url'), private_key: jwk.d! };
}

// Subscriptions --------------------------------------------------------------------------------

const base64url = (bytes: number, exact: boolean) =>
	z
		.string()
		.max(200)
		.regex(/^[A-Za-z0-9_-]+={0,2}$/)
		.refine((v) => {
			const n = Buffer.from(v, 'base64url').length;
			return exact ? n === bytes : n >= bytes;
		});

const subscriptionInput = z.object({
	endpoint: z
		.string()
		.max(2000)
		.refine((v) => URL.canParse(v) && new URL(v).protocol === 'https:'),
	// An uncompressed P-256 point is 65 bytes; the auth secret 16 (RFC 8291 §3.2).
	p256dh: base64url(65, true).refine((v) => Buffer.from(v, 'base64url')[0] === 4),
	auth: base64url(16, true)
});

export interface SubscriptionInput {
	endpoint: unknown;
	p256dh: unknown;
	auth: unknown;
}

/** Stores this device's subscription for the account; the same device again replaces its own. */
export async function subscribe(
	db: Db,
	userId: number,
	input: SubscriptionInput,
	userAgent: string | null
): Promise<{ id: number }> {
	const parsed = subscriptionInput.safeParse(input);
	if (!parsed.success) throw pushErrors.error('subscription_invalid');
	return repo.upsertSubscription(db, userId, {
		...parsed.data,
		user_agent: userAgent?.slice(0, 500) || null
	});
}

/** Removes one of the account's own subscriptions; anyone else's is not found. */
export async function unsubscribe(
	db: Db,
	userId: number,
	by: { id: number } | { endpoint: string }
): Promise<void> {
	if ('id' in by && !Number.isSafeInteger(by.id)) throw pushErrors.error('not_found');
	if ((await repo.deleteOwnSubscription(db, userId, by)) === 0) throw pushErrors.error('not_found');
}

export async function listSubscriptions(db: Db, userId: number) {
	return repo.findSubscriptionsOfUser(db, userId);
}

// Sending ----------------------------------------------------------------------------------------

let active: { boss: PgBoss; db: Db } | null = null;

/** Registers the queue and its worker, and lets `queuePush` reach it. */
export async function startPush(boss: PgBoss, db: Db): Promise<void> {
	await boss.createQueue(PUSH_QUEUE, {
		policy: 'standard',
		// 30 s, then doubling: about 15 minutes before the fifth and last try.
		retryLimit: 5,
		retryDelay: 30,
		retryBackoff: true,
		expireInSeconds: 60,
		deleteAfterSeconds: 24 * 3600
	});
	await boss.work<PushJob>(PUSH_QUEUE, { pollingIntervalSeconds: 1 }, async ([job]) =>
		sendPush(db, job.data)
	);
	active = { boss, db };
}

export function stopPush(boss: PgBoss): void {
	if (active?.boss === boss) active = null;
}

export interface PushNotice {
	caseId: number;
	kind: PushKind;
}

/**
 * Queues a message to every subscribed device of each case's applicant, inside the transaction
 * whose change it reports: it leaves only if that commits. Several notices of one kind for one
 * case become one message. Without a running job queue (a command-line tool) nothing is queued.
 */
export async function queuePush(trx: Trx, notices: PushNotice[]): Promise<number> {
	const boss = active?.boss;
	if (!boss || notices.length === 0) return 0;
	const subscriptions = await repo.findSubscriptionsOfCases(trx, [
		...new Set(notices.map((n) => n.caseId))
	]);
	const jobs = new Map<string, PushJob>();
	for (const notice of notices)
		for (const s of subscriptions)
			if (s.case_id === notice.caseId)
				jobs.set(`${s.subscription_id}:${notice.kind}`, {
					subscriptionId: s.subscription_id,
					kind: notice.kind
				});
	if (jobs.size === 0) return 0;
	await boss.insert(
		PUSH_QUEUE,
		[...jobs.values()].map((data) => ({ data })),
		{ db: fromKysely(trx) }
	);
	return jobs.size;
}

/** The message in the account's language, or in Dutch when that language has no texts. */
export async function renderPush(kind: PushKind, lang: string): Promise<PushPayload> {
	// Loaded on first use, as the e-mail templates do: $lib/i18n needs Vite's import.meta.glob.
	const { translator } = await import('$lib/i18n');
	const t = translator(lang, 'push');
	return { title: t('title'), body: t(`${kind}.body`), url: '/cases', tag: kind };
}

export type SendOutcome = 'sent' | 'removed' | 'skipped';

/**
 * Sends one message to one subscription. 404 and 410 mean the subscription is gone: it is
 * deleted. Any other failure throws, and the job is tried again later.
 */
export async function sendPush(
	db: Db,
	job: PushJob,
	options: { now?: () => Date } = {}
): Promise<SendOutcome> {
	const target = await repo.findSubscriptionForSending(db, job.subscriptionId);
	if (!target || target.disabled_at) return 'skipped';
	const subscription: PushSubscription = {
		endpoint: target.endpoint,
		expirationTime: null,
		keys: { p256dh: target.p256dh, auth: target.auth }
	};
	const payload = await buildPushPayload(
		{
			data: { ...(await renderPush(job.kind, target.language)) },
			options: { ttl: PUSH_TTL_SECONDS, urgency: 'normal', topic: job.kind }
		},
		subscription,
		await vapidKeys(db)
	);
	const response = await fetch(target.endpoint, {
		...payload,
		signal: AbortSignal.timeout(SEND_TIMEOUT_MS)
	});
	await response.body?.cancel();
	if (response.status === 404 || response.status === 410) {
		await repo.deleteGoneSubscription(db, target.id, target.endpoint);
		return 'removed';
	}
	if (!response.ok) throw new Error(`push service answered ${response.status}`);
	await repo.markSubscriptionSuccess(db, target.id, options.now?.() ?? new Date());
	return 'sent';
}
