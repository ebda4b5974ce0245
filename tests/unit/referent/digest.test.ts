import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import type { StaffRole } from '$lib/server/db/schema';
import { findPrincipal } from '$lib/server/auth/user.repository';
import { setAccountDisabled } from '$lib/server/admin/admin.service';
import { ingestEvents } from '$lib/server/events/event.service';
import { DIGEST_CRON, DIGEST_QUEUE, startJobs } from '$lib/server/jobs';
import {
	DIGEST_SETTLE_MS,
	getDigestSettings,
	runDigests,
	setDigest
} from '$lib/server/referent/digest.service';
import { describeEachEngine } from '../helpers/engines';
import { decided, newReference, stageEntered, submitted } from '../helpers/factories';
import { newLocation } from '../planning/fixtures';
import { newStaff } from '../auth/fixtures';

const ORIGIN = 'https://portal.example';
const admin = { userId: null, role: 'admin', ip: '10.0.0.1' };

let kvkCounter = 0;
/** A fresh KvK number of 8 digits. */
function newKvk(): string {
	kvkCounter += 1;
	return String(10_000_000 + (process.pid % 1000) * 1000 + kvkCounter).slice(0, 8);
}

async function newOrganisation(db: Db, name: string) {
	const kvk = newKvk();
	const { id } = await db
		.insertInto('organisation')
		.values({ kvk, name })
		.returning('id')
		.executeTakeFirstOrThrow();
	return { id, kvk, name };
}

async function newMember(
	db: Db,
	organisation: { id: number },
	options: { language?: string; role?: StaffRole; name?: string } = {}
) {
	const email = `referent-${randomUUID()}@example.test`;
	const { id } = await db
		.insertInto('app_user')
		.values({
			email,
			password_hash: 'not used',
			display_name: options.name ?? 'Rita Referent',
			kind: 'referent',
			applicant_id: null,
			language: options.language ?? 'en'
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await db
		.insertInto('user_role')
		.values({
			user_id: id,
			role: options.role ?? 'referent_member',
			organisation_id: organisation.id,
			desk: null
		})
		.execute();
	return { id, email, principal: await findPrincipal(db, id) };
}

type Member = Awaited<ReturnType<typeof newMember>>;

/** Turns the member's digest on (for each of their organisations). */
async function subscribe(db: Db, member: Member) {
	await setDigest(
		db,
		member.principal,
		member.principal.roles.map((r) => r.organisationKvk!)
	);
}

/** The e-mails queued to an address, oldest first. */
async function mailTo(db: Db, email: string) {
	return db
		.selectFrom('email_outbox')
		.select(['subject', 'body_text'])
		.where('to_address', '=', email)
		.orderBy('id')
		.execute();
}

/**
 * A run that reports every event received so far (none still settling). The run reads the
 * database's clock in milliseconds and events are stamped in microseconds: an event stamped in
 * the same millisecond as the run's clock waits for the next run. The pause keeps the events a
 * test has just written out of that millisecond.
 */
async function run(db: Db, now = new Date()) {
	await new Promise((resolve) => setTimeout(resolve, 2));
	return runDigests(db, { now, origin: ORIGIN, settleMs: 0 });
}

function event(type: string, reference: string, at: string, data: Record<string, unknown>) {
	return { id: randomUUID(), type, occurredAt: at, case: reference, data };
}

function kennismigrant(reference: string, kvk: string, name = 'Zeynep Kaya') {
	return submitted(reference, '2026-11-02T09:00:00Z', {
		product: 'kennismigrant',
		sponsorKvk: kvk,
		applicant: { name, birthDate: '1990-01-01', language: 'tr' }
	});
}

describeEachEngine('the referent digest', ({ db, engine }) => {
	it("lists each changed case of the member's organisation with its changes, links and the member's name, and is audited once", async () => {
		const org = await newOrganisation(db(), 'Digest Tech B.V.');
		const member = await newMember(db(), org, { name: 'Rita de Vries' });
		await subscribe(db(), member);
		const [first, second, withdrawn] = [newReference(), newReference(), newReference()];
		const location = await newLocation(db());
		await ingestEvents(db(), {
			events: [
				kennismigrant(first, org.kvk),
				kennismigrant(second, org.kvk, 'Li Wei'),
				kennismigrant(withdrawn, org.kvk, 'Ana Costa'),
				stageEntered(first, '2026-11-03T09:00:00Z', 'assessment'),
				decided(first, '2026-11-20T09:00:00Z', 'granted'),
				event('case.deadline_extended', second, '2026-11-10T09:00:00Z', {
					deadline: '2027-04-01',
					reason: 'More research needed'
				}),
				event('hearing.invited', second, '2026-11-11T09:00:00Z', {
					kind: 'biometrics',
					bookBefore: '2027-01-31',
					locations: [location.code]
				}),
				event('case.withdrawn', withdrawn, '2026-11-12T09:00:00Z', {})
			]
		});

		expect(await run(db())).toMatchObject({ sent: 1 });

		const [mail] = await mailTo(db(), member.email);
		expect(mail.subject).toBe('Changes in your applications – Digest Tech B.V.');
		const body = mail.body_text;
		expect(body).toContain('Dear Rita de Vries,');
		expect(body).toContain('3 applications of Digest Tech B.V. changed since');
		expect(body).toContain(`${first} – Zeynep Kaya – Highly skilled migrant`);
		expect(body).toContain('2 November 2026: Application submitted');
		expect(body).toContain('3 November 2026: Next step: Assessment by the IND');
		expect(body).toContain('20 November 2026: Decision: Granted');
		expect(body).toContain(`${second} – Li Wei – Highly skilled migrant`);
		expect(body).toContain('Legal deadline extended to 1 April 2027');
		expect(body).toContain('can book it until 31 January 2027');
		expect(body).toContain(`${withdrawn} – Ana Costa`);
		expect(body).toContain('12 November 2026: Application withdrawn');
		expect(body).toContain(`${ORIGIN}/referent/cases/${first}`);
		expect(body).toContain(`${ORIGIN}/referent\n`);
		expect(body).toContain(`${ORIGIN}/referent/digest`);
		// Grouped per case, in order: the first case's changes come before the second case.
		expect(body.indexOf('Decision: Granted')).toBeLessThan(body.indexOf(second));

		const audit = await db()
			.selectFrom('audit_event')
			.select(['action', 'details', 'actor_organisation'])
			.where('actor_user_id', '=', member.id)
			.where('action', '=', 'referent.digest')
			.execute();
		expect(audit).toEqual([
			{ action: 'referent.digest', details: { cases: 3 }, actor_organisation: org.name }
		]);
	});

	it('tells of a request for missing documents with its date, and of a type it does not know as another change', async () => {
		const org = await newOrganisation(db(), 'Future B.V.');
		const member = await newMember(db(), org);
		await subscribe(db(), member);
		const reference = newReference();
		await ingestEvents(db(), { events: [kennismigrant(reference, org.kvk)] });
		// Stored as the case system's later event types are, whether or not this version takes them.
		const { id } = await db()
			.selectFrom('case')
			.select('id')
			.where('reference', '=', reference)
			.executeTakeFirstOrThrow();
		await db()
			.insertInto('case_event')
			.values([
				{
					id: randomUUID(),
					case_id: id,
					type: 'case.documents_requested',
					occurred_at: '2026-11-05T09:00:00Z',
					data: JSON.stringify({ missing: ['passport'], before: '2026-12-20' })
				},
				{
					id: randomUUID(),
					case_id: id,
					type: 'case.something_new',
					occurred_at: '2026-11-06T09:00:00Z',
					data: '{}'
				}
			])
			.execute();
		await run(db());
		const [mail] = await mailTo(db(), member.email);
		expect(mail.body_text).toContain(
			'5 November 2026: Missing documents requested, to be sent before 20 December 2026'
		);
		expect(mail.body_text).toContain('6 November 2026: Another change (case.something_new)');
	});

	it('lists at most 100 cases and counts the rest, which the list of all applications shows', async () => {
		const org = await newOrganisation(db(), 'Busy B.V.');
		const member = await newMember(db(), org);
		await subscribe(db(), member);
		const references = Array.from({ length: 102 }, () => newReference());
		await ingestEvents(db(), { events: references.map((r) => kennismigrant(r, org.kvk)) });
		await run(db());
		const [mail] = await mailTo(db(), member.email);
		expect(mail.body_text).toContain('102 applications of Busy B.V. changed');
		expect(mail.body_text.match(/\/referent\/cases\//g)).toHaveLength(100);
		expect(mail.body_text).toContain('And 2 more applications changed.');
		const audit = await db()
			.selectFrom('audit_event')
			.select('details')
			.where('actor_user_id', '=', member.id)
			.where('action', '=', 'referent.digest')
			.executeTakeFirstOrThrow();
		expect(audit.details).toEqual({ cases: 102 });
	});

	it("never tells organisation X's member about Y's cases, asylum or nareis cases, or a case whose sponsorship moved away", async () => {
		const x = await newOrganisation(db(), 'X B.V.');
		const y = await newOrganisation(db(), 'Y B.V.');
		const ofX = await newMember(db(), x);
		const ofY = await newMember(db(), y);
		await subscribe(db(), ofX);
		await subscribe(db(), ofY);
		const [xCase, yCase, moved, asylum, nareis] = [1, 2, 3, 4, 5].map(() => newReference());
		await ingestEvents(db(), {
			events: [
				kennismigrant(xCase, x.kvk, 'Case Of X'),
				kennismigrant(yCase, y.kvk, 'Case Of Y'),
				kennismigrant(moved, x.kvk, 'Moved Away'),
				submitted(asylum, '2026-11-02T09:00:00Z', {
					sponsorKvk: x.kvk,
					applicant: { name: 'Asylum Seeker', birthDate: '1990-01-01', language: 'ar' }
				}),
				submitted(nareis, '2026-11-02T09:00:00Z', {
					product: 'nareis',
					sponsorKvk: x.kvk,
					applicant: { name: 'Family Member', birthDate: '1990-01-01', language: 'ar' }
				}),
				event('case.sponsor_changed', moved, '2026-11-04T09:00:00Z', { sponsorKvk: y.kvk })
			]
		});
		await run(db());

		const [toX] = await mailTo(db(), ofX.email);
		expect(toX.body_text).toContain(xCase);
		for (const hidden of [yCase, moved, asylum, nareis, 'Asylum Seeker', 'Family Member'])
			expect(toX.body_text).not.toContain(hidden);
		expect(toX.body_text).toContain('1 application of X B.V. changed');

		const [toY] = await mailTo(db(), ofY.email);
		expect(toY.body_text).toContain(yCase);
		expect(toY.body_text).toContain(moved);
		expect(toY.body_text).toContain('4 November 2026: Your organisation is now the sponsor');
		expect(toY.body_text).not.toContain(xCase);
	});

	it('sends nothing to a disabled member, a member whose role was removed, or one who turned it off', async () => {
		const org = await newOrganisation(db(), 'Quiet B.V.');
		const [disabled, removed, unsubscribed, active] = [
			await newMember(db(), org),
			await newMember(db(), org),
			await newMember(db(), org),
			await newMember(db(), org)
		];
		for (const member of [disabled, removed, unsubscribed, active]) await subscribe(db(), member);
		// The last active administrator is never disabled: there is one besides.
		await newStaff(db(), ['admin']);
		await setAccountDisabled(db(), admin, disabled.id, true);
		await db().deleteFrom('user_role').where('user_id', '=', removed.id).execute();
		await setDigest(db(), unsubscribed.principal, []);
		await ingestEvents(db(), { events: [kennismigrant(newReference(), org.kvk)] });

		await run(db());

		expect(await mailTo(db(), disabled.email)).toEqual([]);
		expect(await mailTo(db(), removed.email)).toEqual([]);
		expect(await mailTo(db(), unsubscribed.email)).toEqual([]);
		expect(await mailTo(db(), active.email)).toHaveLength(1);
	});

	it('reports each change once: a second run the same day sends nothing, and the next day only what is new', async () => {
		const org = await newOrganisation(db(), 'Watermark B.V.');
		const member = await newMember(db(), org);
		await subscribe(db(), member);
		const [old, later] = [newReference(), newReference()];
		await ingestEvents(db(), { events: [kennismigrant(old, org.kvk, 'First Applicant')] });

		await run(db());
		expect(await mailTo(db(), member.email)).toHaveLength(1);
		const [{ lastSentAt }] = await getDigestSettings(db(), member.principal, null);
		expect(lastSentAt).not.toBeNull();

		// Later the same day, with a new change: it waits for tomorrow's digest.
		await ingestEvents(db(), { events: [kennismigrant(later, org.kvk, 'Second Applicant')] });
		expect(await run(db())).toMatchObject({ sent: 0 });
		expect(await mailTo(db(), member.email)).toHaveLength(1);
		const [waiting] = await getDigestSettings(db(), member.principal, null);
		expect(waiting.preview?.cases.map((c) => c.reference)).toEqual([later]);

		await run(db(), new Date(Date.now() + 24 * 3600_000));
		const mails = await mailTo(db(), member.email);
		expect(mails).toHaveLength(2);
		expect(mails[1].body_text).toContain(later);
		expect(mails[1].body_text).not.toContain(old);
	});

	it('sends no e-mail when nothing changed, and moves the watermark on all the same', async () => {
		const org = await newOrganisation(db(), 'Nothing B.V.');
		const member = await newMember(db(), org);
		await subscribe(db(), member);
		const [before] = await getDigestSettings(db(), member.principal, null);
		await run(db());
		expect(await mailTo(db(), member.email)).toEqual([]);
		const [after] = await getDigestSettings(db(), member.principal, null);
		expect(after.lastSentAt).toBeNull();
		expect(Date.parse(after.preview!.since)).toBeGreaterThan(Date.parse(before.preview!.since));
	});

	it('leaves a change received in the last minutes for the next digest, while its batch may still be committing', async () => {
		const org = await newOrganisation(db(), 'Settle B.V.');
		const member = await newMember(db(), org);
		await subscribe(db(), member);
		const reference = newReference();
		await ingestEvents(db(), { events: [kennismigrant(reference, org.kvk)] });
		expect(DIGEST_SETTLE_MS).toBe(5 * 60_000);
		await runDigests(db(), { origin: ORIGIN });
		expect(await mailTo(db(), member.email)).toEqual([]);
		await run(db(), new Date(Date.now() + 24 * 3600_000));
		const [mail] = await mailTo(db(), member.email);
		expect(mail.body_text).toContain(reference);
	});

	it('sends one e-mail when two app servers run the digest at the same moment', async () => {
		const org = await newOrganisation(db(), 'Twice B.V.');
		const member = await newMember(db(), org);
		await subscribe(db(), member);
		await ingestEvents(db(), { events: [kennismigrant(newReference(), org.kvk)] });
		const now = new Date();
		const results = await Promise.all([run(db(), now), run(db(), now), run(db(), now)]);
		expect(await mailTo(db(), member.email)).toHaveLength(1);
		expect(results.reduce((n, r) => n + r.sent, 0)).toBeGreaterThanOrEqual(1);
	});

	it("writes the e-mail in the member's language: Dutch, English, and Dutch for a language the referent pages lack", async () => {
		const org = await newOrganisation(db(), 'Talen B.V.');
		const dutch = await newMember(db(), org, { language: 'nl', name: 'Piet' });
		const english = await newMember(db(), org, { language: 'en', name: 'Pat' });
		const turkish = await newMember(db(), org, { language: 'tr', name: 'Ayşe' });
		for (const member of [dutch, english, turkish]) await subscribe(db(), member);
		const reference = newReference();
		await ingestEvents(db(), {
			events: [
				kennismigrant(reference, org.kvk),
				stageEntered(reference, '2026-11-03T09:00:00Z', 'assessment')
			]
		});
		await run(db());

		const [nl] = await mailTo(db(), dutch.email);
		expect(nl.subject).toBe('Wijzigingen in uw aanvragen – Talen B.V.');
		expect(nl.body_text).toContain('Beste Piet,');
		expect(nl.body_text).toContain(`${reference} – Zeynep Kaya – Kennismigrant`);
		expect(nl.body_text).toContain('3 november 2026: Volgende stap: Beoordeling door de IND');
		const [en] = await mailTo(db(), english.email);
		expect(en.body_text).toContain('3 November 2026: Next step: Assessment by the IND');
		const [tr] = await mailTo(db(), turkish.email);
		expect(tr.body_text).toContain('Beste Ayşe,');
	});

	it('shows on the settings page whether it is on, and what the next digest lists so far', async () => {
		const org = await newOrganisation(db(), 'Preview B.V.');
		const member = await newMember(db(), org);
		expect(await getDigestSettings(db(), member.principal, null)).toEqual([
			{ kvk: org.kvk, name: org.name, enabled: false, lastSentAt: null, preview: null }
		]);
		await subscribe(db(), member);
		const reference = newReference();
		await ingestEvents(db(), { events: [kennismigrant(reference, org.kvk)] });
		const [on] = await getDigestSettings(db(), member.principal, null);
		expect(on.enabled).toBe(true);
		expect(on.preview).toMatchObject({
			total: 1,
			cases: [
				{
					reference,
					applicantName: 'Zeynep Kaya',
					product: 'kennismigrant',
					changes: [{ type: 'case.submitted' }]
				}
			]
		});
		// Off and on again: what happened meanwhile is not sent afterwards.
		await setDigest(db(), member.principal, []);
		await setDigest(db(), member.principal, [org.kvk]);
		const [again] = await getDigestSettings(db(), member.principal, null);
		expect(again.preview?.total).toBe(0);
	});

	it('is scheduled daily at 07:00 Amsterdam time as a singleton, and its run moves each subscription on', async () => {
		const org = await newOrganisation(db(), 'Queue B.V.');
		const member = await newMember(db(), org);
		await subscribe(db(), member);
		const jobs = await startJobs(db(), { embedded: engine === 'pglite' });
		try {
			const { rows } = await sql<{
				cron: string;
				timezone: string;
			}>`select cron, timezone from pgboss.schedule where name = ${DIGEST_QUEUE}`.execute(db());
			expect(rows).toEqual([{ cron: DIGEST_CRON, timezone: 'Europe/Amsterdam' }]);
			expect(DIGEST_CRON).toBe('0 7 * * *');
			const queue = await jobs.boss.getQueue(DIGEST_QUEUE);
			expect(queue?.policy).toBe('singleton');
			await jobs.boss.send(DIGEST_QUEUE);
			const deadline = Date.now() + 15_000;
			let ran = false;
			while (!ran && Date.now() < deadline) {
				const row = await db()
					.selectFrom('referent_digest')
					.select('last_run_on')
					.where('user_id', '=', member.id)
					.executeTakeFirstOrThrow();
				ran = row.last_run_on !== null;
				if (!ran) await new Promise((r) => setTimeout(r, 250));
			}
			expect(ran).toBe(true);
		} finally {
			await jobs.stop();
		}
	}, 30_000);
});
