/**
 * Web push end to end inside one process: a device subscribes, something happens to its case, and
 * a real encrypted message arrives at a push service of our own (HTTPS on 127.0.0.1), where an
 * independent implementation decrypts it and checks its VAPID signature.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachEngine } from '../helpers/engines';
import { decided, stageEntered } from '../helpers/factories';
import { startJobs, type Jobs } from '$lib/server/jobs';
import { ingestEvents } from '$lib/server/events/event.service';
import { cancel } from '$lib/server/planning/booking.service';
import { joinWaitlist } from '$lib/server/planning/waitlist.service';
import { sendReminder } from '$lib/server/planning/reminders';
import { confirmDecision } from '$lib/server/triage/triage.service';
import {
	generateVapidKeys,
	loadVapidKeys,
	listSubscriptions,
	PUSH_QUEUE,
	sendPush,
	subscribe,
	unsubscribe,
	vapidKeys
} from '$lib/server/push/push.service';
import { findVapidKeys, insertVapidKeysIfAbsent } from '$lib/server/push/push.repository';
import en from '$lib/i18n/locales/en/push.json';
import nl from '$lib/i18n/locales/nl/push.json';
import ar from '$lib/i18n/locales/ar/push.json';
import {
	browserKeys,
	decryptPush,
	startPushReceiver,
	testCertificate,
	verifyVapid,
	type BrowserKeys,
	type PushReceiver
} from '../../e2e/support/push';
import {
	bookAs,
	newApplicant,
	newApplicantWithInvitation,
	newLocation,
	newSlot,
	refusal
} from '../planning/fixtures';
import { decide, newOfficer, newWaitingApplicant, sentRequest } from '../triage/fixtures';

const certificate = testCertificate(join(tmpdir(), 'mijn-aanvraag-push-test'));
// The sender trusts our push service's certificate, as it trusts a real one's.
setDefaultCACertificates([...getCACertificates('default'), certificate.cert]);

let names = 0;
const nextName = () => `d${process.pid}-${(names += 1)}`;

describeEachEngine('web push', ({ db, engine }) => {
	let receiver: PushReceiver;
	let jobs: Jobs;

	beforeAll(async () => {
		receiver = await startPushReceiver(certificate);
		jobs = await startJobs(db(), { embedded: engine === 'pglite' });
	});
	afterAll(async () => {
		await jobs?.stop();
		await receiver?.close();
	});

	/** A device of the applicant that subscribes, as the settings page does. */
	async function device(a: { userId: number }, status = 201) {
		const name = nextName();
		const keys = await browserKeys();
		const endpoint = receiver.endpoint(name, status);
		const { id } = await subscribe(
			db(),
			a.userId,
			{ endpoint, p256dh: keys.p256dh, auth: keys.auth },
			'Mozilla/5.0 (Linux; Android 14) Chrome/131.0'
		);
		return { id, name, endpoint, keys };
	}

	async function arrived(d: { name: string; keys: BrowserKeys }) {
		const push = await receiver.next(d.name);
		return { push, payload: decryptPush(push.body, d.keys) as Record<string, string> };
	}

	it('delivers a real encrypted message that an independent implementation decrypts, signed with VAPID', async () => {
		const a = await newApplicant(db());
		const d = await device(a);
		await ingestEvents(db(), {
			events: [stageEntered(a.reference, '2026-11-03T09:00:00Z', 'registration_interview_queue')]
		});
		const { push, payload } = await arrived(d);
		expect(push.headers['content-encoding']).toBe('aes128gcm');
		expect(Number(push.headers.ttl)).toBe(86_400);
		expect(payload).toEqual({
			title: 'Mijn Aanvraag',
			body: en.stage_changed.body,
			url: '/cases',
			tag: 'stage_changed'
		});
		// Nothing personal: no name, reference or V-number in what the lock screen may show.
		expect(JSON.stringify(payload)).not.toMatch(/Amal|Haddad|IND-|\d{6}/);

		const claims = await verifyVapid(push.headers.authorization as string);
		expect(claims.aud).toBe(new URL(d.endpoint).origin);
		expect(claims.sub).toMatch(/^(mailto:|https:)/);
		const now = Date.now() / 1000;
		expect(claims.exp).toBeGreaterThan(now);
		expect(claims.exp).toBeLessThanOrEqual(now + 24 * 3600);
		expect(claims.publicKey).toBe((await vapidKeys(db())).publicKey);

		await expect
			.poll(async () => (await listSubscriptions(db(), a.userId))[0]?.last_success_at)
			.toBeInstanceOf(Date);
	});

	it('writes the message in the language of the account', async () => {
		const a = await newApplicant(db());
		for (const [language, texts] of [
			['nl', nl],
			['ar', ar]
		] as const) {
			await db().updateTable('app_user').set({ language }).where('id', '=', a.userId).execute();
			const d = await device(a);
			const job = { subscriptionId: d.id, kind: 'waitlist_offer' as const };
			expect(await sendPush(db(), job)).toBe('sent');
			const { payload } = await arrived(d);
			expect(payload.body).toBe(texts.waitlist_offer.body);
			expect(payload.title).toBe(texts.title);
		}
	});

	it('removes a subscription whose push service answers 410 or 404, and keeps one that fails otherwise', async () => {
		const a = await newApplicant(db());
		const gone = await device(a, 410);
		const missing = await device(a, 404);
		const broken = await device(a, 500);
		expect(await sendPush(db(), { subscriptionId: gone.id, kind: 'stage_changed' })).toBe(
			'removed'
		);
		expect(await sendPush(db(), { subscriptionId: missing.id, kind: 'stage_changed' })).toBe(
			'removed'
		);
		await expect(
			sendPush(db(), { subscriptionId: broken.id, kind: 'stage_changed' })
		).rejects.toThrow(/answered 500/);
		expect((await listSubscriptions(db(), a.userId)).map((s) => s.id)).toEqual([broken.id]);
		// The 410 really reached the service: it was asked, and answered.
		expect(receiver.received.filter((r) => r.path === `/push/${gone.name}`)).toHaveLength(1);
	});

	it('lets an account list and remove only its own subscriptions', async () => {
		const a = await newApplicant(db());
		const b = await newApplicant(db());
		const mine = await device(a);
		const theirs = await device(b);
		expect((await listSubscriptions(db(), a.userId)).map((s) => s.id)).toEqual([mine.id]);
		expect(await refusal(unsubscribe(db(), a.userId, { id: theirs.id }))).toMatchObject({
			code: 'not_found'
		});
		expect(await refusal(unsubscribe(db(), a.userId, { endpoint: theirs.endpoint }))).toMatchObject(
			{ code: 'not_found' }
		);
		expect((await listSubscriptions(db(), b.userId)).map((s) => s.id)).toEqual([theirs.id]);

		await unsubscribe(db(), a.userId, { endpoint: mine.endpoint });
		expect(await listSubscriptions(db(), a.userId)).toEqual([]);

		// The same browser, now signed in as A, subscribes again: the device is A's from then on.
		const again = await subscribe(
			db(),
			a.userId,
			{ endpoint: theirs.endpoint, p256dh: theirs.keys.p256dh, auth: theirs.keys.auth },
			null
		);
		expect(again.id).toBe(theirs.id);
		expect(await listSubscriptions(db(), b.userId)).toEqual([]);
	});

	it('refuses a subscription that cannot work, and stores nothing', async () => {
		const a = await newApplicant(db());
		const keys = await browserKeys();
		const good = { endpoint: receiver.endpoint(nextName()), p256dh: keys.p256dh, auth: keys.auth };
		for (const bad of [
			{ ...good, endpoint: 'http://127.0.0.1:9/push/x' },
			{ ...good, endpoint: 'not a url' },
			{ ...good, p256dh: keys.p256dh.slice(0, 40) },
			{ ...good, auth: 'c2hvcnQ' },
			{ ...good, auth: undefined },
			{ ...good, endpoint: `https://example.test/${'x'.repeat(2000)}` }
		])
			expect(await refusal(subscribe(db(), a.userId, bad, null))).toMatchObject({
				code: 'subscription_invalid',
				field: 'subscription'
			});
		expect(await listSubscriptions(db(), a.userId)).toEqual([]);
	});

	it('makes one VAPID key pair, whichever server asks first, and lets the environment override it', async () => {
		await vapidKeys(db());
		const stored = await findVapidKeys(db());
		// Another server racing to store its own pair changes nothing.
		await insertVapidKeysIfAbsent(db(), await generateVapidKeys());
		expect(await findVapidKeys(db())).toEqual(stored);
		expect(Buffer.from(stored!.public_key, 'base64url')).toHaveLength(65);
		expect((await loadVapidKeys(db(), {})).publicKey).toBe(stored!.public_key);
		const fixed = await generateVapidKeys();
		const overridden = await loadVapidKeys(db(), {
			VAPID_PUBLIC_KEY: fixed.public_key,
			VAPID_PRIVATE_KEY: fixed.private_key,
			VAPID_SUBJECT: 'mailto:push@ind.example'
		});
		expect(overridden).toEqual({
			publicKey: fixed.public_key,
			privateKey: fixed.private_key,
			subject: 'mailto:push@ind.example'
		});
	});

	it('pushes on each of the five events: stage change, invitation, reminder, triage decision, waitlist offer', async () => {
		// A stage change and a decision of the case system; an invitation to a hearing.
		const a = await newApplicant(db());
		const location = await newLocation(db());
		const d = await device(a);
		await ingestEvents(db(), {
			events: [
				stageEntered(a.reference, '2026-11-03T09:00:00Z', 'registration_interview_queue'),
				{
					id: crypto.randomUUID(),
					type: 'hearing.invited',
					occurredAt: '2026-11-04T09:00:00Z',
					case: a.reference,
					data: {
						kind: 'registration_interview',
						bookBefore: '2027-01-31',
						locations: [location.code]
					}
				}
			]
		});
		await expect
			.poll(() => tagsAt(d), { timeout: 15_000 })
			.toEqual(['hearing_invited', 'stage_changed']);
		await ingestEvents(db(), { events: [decided(a.reference, '2026-11-05T09:00:00Z')] });
		await expect
			.poll(() => tagsAt(d), { timeout: 15_000 })
			.toEqual(['hearing_invited', 'stage_changed', 'stage_changed']);

		// The reminder 24 hours ahead pushes; the one 72 hours ahead only e-mails.
		const b = await newApplicantWithInvitation(db(), { locations: [location.code] });
		const start = new Date(Math.ceil((Date.now() + 5 * 86_400_000) / 900_000) * 900_000);
		const slot = await newSlot(db(), { locationId: location.id, startsAt: start.toISOString() });
		const { appointment } = await bookAs(db(), b, slot, new Date());
		const bd = await device(b);
		const job = { appointment: appointment.reference, startsAt: start.toISOString() };
		await sendReminder(db(), { ...job, lead: '72h' });
		await sendReminder(db(), { ...job, lead: '24h' });
		await expect.poll(() => tagsAt(bd), { timeout: 15_000 }).toEqual(['hearing_reminder']);

		// A waitlist offer: B gives up the place C waits for.
		const c = await newApplicantWithInvitation(db(), { locations: [location.code] });
		const cd = await device(c);
		await joinWaitlist(db(), { invitationId: c.invitationId, actor: c.actor, now: new Date() });
		await cancel(db(), { appointmentId: appointment.id, actor: b.actor, now: new Date() });
		await expect.poll(() => tagsAt(cd), { timeout: 15_000 }).toEqual(['waitlist_offer']);

		// A triage decision, once a second officer confirms it.
		const t = await newWaitingApplicant(db());
		const td = await device(t);
		const request = await sentRequest(db(), t);
		const [first, second] = [await newOfficer(db()), await newOfficer(db())];
		await decide(db(), request.id, first);
		await confirmDecision(db(), { requestId: request.id, actor: second });
		await expect.poll(() => tagsAt(td), { timeout: 15_000 }).toEqual(['triage_decided']);

		// Each was a job on the push queue, not a send inside the request.
		const done = await jobs.boss.findJobs(PUSH_QUEUE, {});
		expect(done.length).toBeGreaterThanOrEqual(6);
	});

	// Last in the file: the hanging push service keeps the worker busy until its timeout.
	it('answers the case system at once while a push service hangs: the push waits in its job', async () => {
		const a = await newApplicant(db());
		const d = await device(a, 0);
		const began = performance.now();
		await ingestEvents(db(), {
			events: [stageEntered(a.reference, '2026-11-03T09:00:00Z', 'registration_interview_queue')]
		});
		const took = performance.now() - began;
		await receiver.next(d.name);
		// The message reached the hanging service, and the batch had long been answered: a send
		// inside the request would have waited for the 10-second timeout.
		expect(took).toBeLessThan(5000);
		const [job] = (await jobs.boss.findJobs(PUSH_QUEUE, {})).filter(
			(j) => (j.data as { subscriptionId: number }).subscriptionId === d.id
		);
		expect(job.state).toBe('active');
	});

	/** The kinds of message that reached a device, decrypted, in alphabetical order. */
	function tagsAt(d: { name: string; keys: BrowserKeys }): string[] {
		return receiver.received
			.filter((r) => r.path === `/push/${d.name}`)
			.map((r) => (decryptPush(r.body, d.keys) as { tag: string }).tag)
			.sort();
	}
});
