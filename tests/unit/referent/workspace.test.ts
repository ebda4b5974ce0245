import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import type { Principal } from '$lib/server/auth/principal';
import { ingestEvents } from '$lib/server/events/event.service';
import { getWorkspace, WORKSPACE_PAGE_SIZE } from '$lib/server/referent/workspace.service';
import { workspaceQuerySchema } from '$lib/server/referent/workspace.validation';
import { findSponsoredCase } from '$lib/server/cases/case.service';
import { exportWorkspace, getSponsoredCase } from '$lib/server/referent/workspace.service';
import { workspaceCsv } from '$lib/server/referent/workspace.export';
import { parse } from 'csv-parse/sync';
import { translator } from '$lib/i18n';
import { describeEachEngine } from '../helpers/engines';
import { decided, newReference, stageEntered, submitted } from '../helpers/factories';
import { newLocation } from '../planning/fixtures';

/** The list's clock: 1 December 2026. Kennismigrant cases have 90 days, studie 60. */
const NOW = new Date('2026-12-01T10:00:00Z');

function referentOf(kvk: string, name: string, id: number): Principal {
	return {
		id,
		email: `r${id}@example.test`,
		displayName: 'R',
		kind: 'referent',
		applicantId: null,
		roles: [
			{
				role: 'referent_member',
				organisationId: id,
				organisationKvk: kvk,
				organisationName: name,
				desk: null
			}
		]
	};
}

const A = referentOf('11112222', 'Demo Tech B.V.', 1);
const B = referentOf('33334444', 'Other B.V.', 2);
const FORMULA = '=HYPERLINK("https://evil.test","Open")';
const query = (params: Record<string, string> = {}) => workspaceQuerySchema.parse(params);

describeEachEngine('the referent workspace', ({ db }) => {
	const ofA: string[] = [];
	let asylum = '';
	let invited = '';
	let late = '';
	let soon = '';
	let recentlyDecided = '';
	let named = '';
	const vNumber = '7012345678';

	beforeAll(async () => {
		const events = [];
		// 60 kennismigrant cases of A, one a day from 1 August: deadlines 30 October to 28 December.
		for (let i = 0; i < 60; i += 1) {
			const reference = newReference();
			ofA.push(reference);
			const at = new Date(Date.UTC(2026, 7, 1 + i, 9)).toISOString();
			events.push(
				submitted(reference, at, {
					product: 'kennismigrant',
					sponsorKvk: A.roles[0].organisationKvk,
					...(i === 5
						? {
								vNumber,
								applicant: { name: 'Zeynep Kaya', birthDate: '1990-01-01', language: 'tr' }
							}
						: {}),
					...(i === 7
						? { applicant: { name: FORMULA, birthDate: '1990-01-01', language: 'en' } }
						: {})
				})
			);
		}
		named = ofA[5];
		late = ofA[0]; // deadline 30 October: passed
		soon = ofA[45]; // submitted 15 September, deadline 14 December
		recentlyDecided = ofA[1];
		events.push(decided(recentlyDecided, '2026-11-20T09:00:00Z'));
		events.push(stageEntered(ofA[2], '2026-09-01T09:00:00Z', 'assessment'));
		// B's case, and an asylum case that names A as its sponsor: neither is A's to see.
		events.push(
			submitted(newReference(), '2026-10-01T09:00:00Z', {
				product: 'kennismigrant',
				sponsorKvk: B.roles[0].organisationKvk
			})
		);
		asylum = newReference();
		events.push(
			submitted(asylum, '2026-10-01T09:00:00Z', { sponsorKvk: A.roles[0].organisationKvk })
		);
		await ingestEvents(db(), { events });
		const location = await newLocation(db());
		invited = ofA[3];
		await ingestEvents(db(), {
			events: [
				{
					id: randomUUID(),
					type: 'hearing.invited',
					occurredAt: '2026-11-20T09:00:00Z',
					case: invited,
					data: { kind: 'biometrics', bookBefore: '2027-01-31', locations: [location.code] }
				}
			]
		});
	});

	async function allPages(user: Principal, params: Record<string, string>) {
		const seen: string[] = [];
		let page = await getWorkspace(db(), user, query(params), null, NOW);
		seen.push(...page.rows.map((r) => r.reference));
		while (page.next) {
			const next = Object.fromEntries(new URL(page.next, 'http://x').searchParams);
			page = await getWorkspace(db(), user, query(next), null, NOW);
			seen.push(...page.rows.map((r) => r.reference));
		}
		return seen;
	}

	it("shows an organisation every case it sponsors, and no other organisation's or asylum case", async () => {
		const page = await getWorkspace(db(), A, query(), null, NOW);
		expect(page.total).toBe(60);
		const all = await allPages(A, {});
		expect(all.sort()).toEqual([...ofA].sort());
		expect(all).not.toContain(asylum);
		// The data does name A as the asylum case's sponsor.
		const row = await db()
			.selectFrom('case')
			.select('sponsor_kvk')
			.where('reference', '=', asylum)
			.executeTakeFirstOrThrow();
		expect(row.sponsor_kvk).toBe(A.roles[0].organisationKvk);
		await expect(findSponsoredCase(db(), A, asylum, null)).rejects.toMatchObject({
			code: 'not_sponsored'
		});
		const other = await allPages(B, {});
		expect(other).toHaveLength(1);
		expect(other.some((r) => ofA.includes(r))).toBe(false);
	});

	it('pages by key: every case once, in deadline order, and back again', async () => {
		const first = await getWorkspace(db(), A, query(), null, NOW);
		expect(first.rows).toHaveLength(WORKSPACE_PAGE_SIZE);
		expect(first.previous).toBeNull();
		// Open cases by deadline first; the decided one last.
		expect(first.rows[0].reference).toBe(late);
		const second = await getWorkspace(
			db(),
			A,
			query(Object.fromEntries(new URL(first.next!, 'http://x').searchParams)),
			null,
			NOW
		);
		expect(second.rows.map((r) => r.reference).at(-1)).toBe(recentlyDecided);
		expect(second.next).toBeNull();
		const back = await getWorkspace(
			db(),
			A,
			query(Object.fromEntries(new URL(second.previous!, 'http://x').searchParams)),
			null,
			NOW
		);
		expect(back.rows.map((r) => r.reference)).toEqual(first.rows.map((r) => r.reference));
		const deadlines = [...first.rows, ...second.rows]
			.filter((r) => r.status === 'open')
			.map((r) => r.deadline);
		expect(deadlines).toEqual([...deadlines].sort());
		for (const sort of ['submitted', 'stage'])
			expect((await allPages(A, { sort })).sort()).toEqual([...ofA].sort());
	});

	it('filters by search, product, stage, needs action, deadline and recent decisions', async () => {
		const refs = async (params: Record<string, string>) =>
			(await getWorkspace(db(), A, query(params), null, NOW)).rows.map((r) => r.reference);
		expect(await refs({ q: 'zeynep' })).toEqual([named]);
		expect(await refs({ q: vNumber })).toEqual([named]);
		expect(await refs({ q: named.toLowerCase() })).toEqual([named]);
		expect(await refs({ q: '%' })).toEqual([]);
		// Parts of a V-number or a reference, and a name in other letters' case.
		expect(await refs({ q: vNumber.slice(1, 8) })).toEqual([named]);
		expect(await refs({ q: named.slice(0, -1) })).toContain(named);
		expect(await refs({ q: named.slice(-5) })).toContain(named);
		expect(await refs({ q: 'KAYA' })).toEqual([named]);
		expect(await refs({ product: 'studie' })).toEqual([]);
		expect(await refs({ stage: 'assessment' })).toEqual([ofA[2]]);
		expect(await refs({ action: '1' })).toEqual([invited]);
		expect(await refs({ deadline: 'passed' })).toContain(late);
		expect(await refs({ deadline: 'passed' })).not.toContain(soon);
		expect(await refs({ deadline: 'soon' })).toContain(soon);
		expect(await refs({ deadline: 'soon' })).not.toContain(late);
		expect(await refs({ decided: '1' })).toEqual([recentlyDecided]);
		const page = await getWorkspace(db(), A, query({ q: 'zeynep' }), null, NOW);
		expect(page.rows[0]).toMatchObject({ vNumber, product: 'kennismigrant', needsAction: false });
	});

	it('counts the summary over all cases, each count linking to its list', async () => {
		const { summary } = await getWorkspace(db(), A, query({ q: 'nobody' }), null, NOW);
		expect(summary.open.count).toBe(59);
		expect(summary.needsAction).toEqual({ count: 1, href: '/referent?action=1' });
		expect(summary.decidedRecently).toEqual({ count: 1, href: '/referent?decided=1' });
		expect(summary.deadlinePassed.href).toBe('/referent?deadline=passed');
		const passed = await getWorkspace(db(), A, query({ deadline: 'passed' }), null, NOW);
		expect(passed.total).toBe(summary.deadlinePassed.count);
		const soonList = await getWorkspace(db(), A, query({ deadline: 'soon' }), null, NOW);
		expect(soonList.total).toBe(summary.deadlineSoon.count);
		expect(summary.stages.reduce((n, s) => n + s.count, 0)).toBe(59);
		const assessment = summary.stages.find((s) => s.stage === 'assessment')!;
		expect(assessment.href).toBe('/referent?product=kennismigrant&stage=assessment');
	});

	it('treats a forged or foreign cursor as the first page, not an error', async () => {
		const forged = Buffer.from(JSON.stringify(['x', 'y', 1])).toString('base64url');
		const first = await getWorkspace(db(), A, query(), null, NOW);
		for (const after of [forged, 'not-base64!', Buffer.from('[1]').toString('base64url')]) {
			const page = await getWorkspace(db(), A, query({ after }), null, NOW);
			expect(page.rows.map((r) => r.reference)).toEqual(first.rows.map((r) => r.reference));
		}
	});

	it('records each list view as one audit row with its filter', async () => {
		const before = await db()
			.selectFrom('audit_event')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.where('action', '=', 'referent.list')
			.executeTakeFirstOrThrow();
		await getWorkspace(db(), A, query({ deadline: 'soon', q: 'kaya' }), '192.0.2.1', NOW);
		const rows = await db()
			.selectFrom('audit_event')
			.select(['details', 'case_id', 'actor_organisation'])
			.where('action', '=', 'referent.list')
			.orderBy('id', 'desc')
			.execute();
		expect(rows.length).toBe(Number(before.n) + 1);
		expect(rows[0]).toMatchObject({
			case_id: null,
			actor_organisation: 'Demo Tech B.V.',
			details: { filter: '?q=kaya&deadline=soon' }
		});
	});

	it("exports every row of the filter as CSV with a BOM, in the list's order, formulas made text", async () => {
		const batches: Awaited<ReturnType<typeof getWorkspace>>['rows'][] = [];
		for await (const batch of exportWorkspace(db(), A, query({ sort: 'submitted' }), null, NOW))
			batches.push(batch);
		const csv = batches.map((rows, i) => workspaceCsv(rows, translator('nl'), i === 0)).join('');
		expect(csv.startsWith('\uFEFFreference,applicant_name,v_number,product,')).toBe(true);
		const records: Record<string, string>[] = parse(csv, { columns: true, bom: true });
		expect(records.map((r) => r.reference)).toEqual(await allPages(A, { sort: 'submitted' }));
		const formula = records.find((r) => r.reference === ofA[7])!;
		expect(formula.applicant_name).toBe(`'${FORMULA}`);
		expect(records.find((r) => r.reference === named)).toMatchObject({
			v_number: vNumber,
			product_name: 'Kennismigrant',
			needs_action: 'no'
		});
		expect(records.find((r) => r.reference === invited)!.needs_action).toBe('yes');
		// The export ranks the queues at once; the place is the one the list counts per case.
		const listed = (await getWorkspace(db(), A, query({ stage: 'assessment' }), null, NOW)).rows[0];
		const exported = records.find((r) => r.reference === ofA[2])!;
		expect(listed.queue).not.toBeNull();
		expect(Number(exported.queue_position)).toBe(listed.queue!.position);
		expect(Number(exported.queue_waiting)).toBe(listed.queue!.waiting);
		const audit = await db()
			.selectFrom('audit_event')
			.select('details')
			.where('action', '=', 'referent.export')
			.orderBy('id', 'desc')
			.executeTakeFirstOrThrow();
		expect(audit.details).toEqual({ filter: '?sort=submitted' });
	});

	it('exports no rows for a filter that finds nothing', async () => {
		const batches = [];
		for await (const batch of exportWorkspace(db(), B, query({ q: 'nobody at all' }), null, NOW))
			batches.push(batch);
		expect(batches).toEqual([]);
	});

	it('follows a change of sponsor at once: the old sponsor loses the case, the new one has it', async () => {
		const reference = newReference();
		const event = (type: string, data: Record<string, unknown>) => ({
			id: randomUUID(),
			type,
			occurredAt: '2026-11-25T09:00:00Z',
			case: reference,
			data
		});
		await ingestEvents(db(), {
			events: [
				submitted(reference, '2026-11-01T09:00:00Z', {
					product: 'studie',
					sponsorKvk: A.roles[0].organisationKvk
				})
			]
		});
		const sees = async (user: Principal) =>
			(await getWorkspace(db(), user, query({ q: reference }), null, NOW)).rows.length === 1;
		expect([await sees(A), await sees(B)]).toEqual([true, false]);
		await ingestEvents(db(), {
			events: [event('case.sponsor_changed', { sponsorKvk: B.roles[0].organisationKvk })]
		});
		expect([await sees(A), await sees(B)]).toEqual([false, true]);
		await expect(findSponsoredCase(db(), A, reference, null)).rejects.toMatchObject({
			code: 'not_sponsored'
		});
		await ingestEvents(db(), { events: [event('case.sponsor_changed', { sponsorKvk: null })] });
		expect([await sees(A), await sees(B)]).toEqual([false, false]);
		const refused = await ingestEvents(db(), {
			events: [event('case.sponsor_changed', { sponsorKvk: '12' })]
		}).catch((e: unknown) => e);
		expect(refused).toMatchObject({ code: 'rejected' });
	});

	it('shows one case with the place, turn and action the list shows, and audits the read', async () => {
		const listed = (await getWorkspace(db(), A, query({ stage: 'assessment' }), null, NOW)).rows[0];
		const one = await getSponsoredCase(db(), A, listed.reference, '192.0.2.7', NOW);
		expect(one.queue).toEqual(listed.queue);
		expect(one.daysLeft).toBe(listed.daysLeft);
		expect(one.summary.applicant.vNumber).toBeNull();
		expect((await getSponsoredCase(db(), A, invited, null, NOW)).needsAction).toBe(true);
		const read = await db()
			.selectFrom('audit_event')
			.select(['action', 'subject', 'actor_organisation'])
			.where('subject', '=', `case:${listed.reference}`)
			.executeTakeFirstOrThrow();
		expect(read).toEqual({
			action: 'case.read',
			subject: `case:${listed.reference}`,
			actor_organisation: 'Demo Tech B.V.'
		});
		await expect(getSponsoredCase(db(), B, listed.reference, null, NOW)).rejects.toMatchObject({
			code: 'not_sponsored'
		});
	});
});
