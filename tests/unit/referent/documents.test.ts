import { expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import type { Principal } from '$lib/server/auth/principal';
import { ingestEvents } from '$lib/server/events/event.service';
import { getCaseStatus } from '$lib/server/cases/status.service';
import {
	exportWorkspace,
	getSponsoredCase,
	getWorkspace
} from '$lib/server/referent/workspace.service';
import { workspaceCsv } from '$lib/server/referent/workspace.export';
import { workspaceQuerySchema } from '$lib/server/referent/workspace.validation';
import { translator } from '$lib/i18n';
import { describeEachEngine } from '../helpers/engines';
import {
	applicantPrincipal,
	documentsRequested,
	newReference,
	stageEntered,
	submitted
} from '../helpers/factories';

const NOW = new Date('2026-12-01T10:00:00Z');
const query = (params: Record<string, string> = {}) => workspaceQuerySchema.parse(params);

function referentOf(kvk: string, id: number): Principal {
	return {
		id,
		email: `r${id}@example.test`,
		displayName: 'R',
		kind: 'referent',
		applicantId: null,
		roles: [
			{
				role: 'referent_admin',
				organisationId: id,
				organisationKvk: kvk,
				organisationName: `Organisation ${id}`,
				desk: null
			}
		]
	};
}

const KVK_A = '55556666';
const KVK_B = '77778888';
const A = referentOf(KVK_A, 1);
const B = referentOf(KVK_B, 2);

describeEachEngine('missing documents, as the applicant and the sponsor see them', ({ db }) => {
	/** A studie case of the organisation, waiting in assessment. */
	async function sponsoredCase(kvk: string) {
		const ref = newReference();
		await ingestEvents(db(), {
			events: [
				submitted(ref, '2026-11-02T09:00:00Z', { product: 'studie', sponsorKvk: kvk }),
				stageEntered(ref, '2026-11-03T09:00:00Z', 'assessment')
			]
		});
		return ref;
	}
	const request = {
		missing: ['proof_of_funds', 'diploma'],
		before: '2026-12-15',
		note: 'Bankafschrift van de laatste drie maanden.'
	};

	it('marks the case as needing action, in the list, the count, the filter and the export', async () => {
		const asked = await sponsoredCase(KVK_A);
		const quiet = await sponsoredCase(KVK_A);
		const before = await getWorkspace(db(), A, query(), null, NOW);
		expect(before.summary.needsAction.count).toBe(0);

		await ingestEvents(db(), {
			events: [documentsRequested(asked, '2026-11-20T09:00:00Z', request)]
		});

		const page = await getWorkspace(db(), A, query(), null, NOW);
		expect(page.summary.needsAction.count).toBe(1);
		const row = page.rows.find((r) => r.reference === asked)!;
		expect(row).toMatchObject({
			stage: 'missing_documents',
			stageKind: 'documents',
			needsAction: true,
			queue: null,
			documents: { missing: ['proof_of_funds', 'diploma'], sendBefore: '2026-12-15' }
		});
		expect(page.rows.find((r) => r.reference === quiet)).toMatchObject({
			needsAction: false,
			documents: null
		});
		const filtered = await getWorkspace(db(), A, query({ action: '1' }), null, NOW);
		expect(filtered.rows.map((r) => r.reference)).toEqual([asked]);
		expect(filtered.total).toBe(1);

		const batches = [];
		for await (const batch of exportWorkspace(db(), A, query({ action: '1' }), null, NOW))
			batches.push(batch);
		const records: Record<string, string>[] = parse(
			batches.map((rows, i) => workspaceCsv(rows, translator('en'), i === 0)).join(''),
			{ columns: true, bom: true }
		);
		expect(records).toHaveLength(1);
		expect(records[0]).toMatchObject({
			reference: asked,
			stage_name: 'Documents missing',
			needs_action: 'yes',
			documents_missing: 'proof_of_funds diploma',
			documents_before: '2026-12-15'
		});

		const one = await getSponsoredCase(db(), A, asked, null, NOW);
		expect(one).toMatchObject({
			needsAction: true,
			invited: false,
			documents: { missing: ['proof_of_funds', 'diploma'], note: request.note }
		});
	});

	it('no longer needs action once the case moves on', async () => {
		const ref = await sponsoredCase(KVK_A);
		await ingestEvents(db(), {
			events: [
				documentsRequested(ref, '2026-11-20T09:00:00Z', request),
				stageEntered(ref, '2026-11-28T09:00:00Z', 'assessment')
			]
		});
		const row = (await getWorkspace(db(), A, query({ q: ref }), null, NOW)).rows[0];
		expect(row).toMatchObject({ needsAction: false, documents: null, stage: 'assessment' });
		expect(row.queue).not.toBeNull();
		expect((await getSponsoredCase(db(), A, ref, null, NOW)).documents).toBeNull();
	});

	it("never shows one organisation's request to another", async () => {
		const ofB = await sponsoredCase(KVK_B);
		await ingestEvents(db(), {
			events: [documentsRequested(ofB, '2026-11-20T09:00:00Z', request)]
		});
		const forA = await getWorkspace(db(), A, query({ action: '1' }), null, NOW);
		expect(forA.rows.map((r) => r.reference)).not.toContain(ofB);
		expect((await getWorkspace(db(), A, query({ q: ofB }), null, NOW)).rows).toEqual([]);
		await expect(getSponsoredCase(db(), A, ofB, null, NOW)).rejects.toMatchObject({
			code: 'not_sponsored'
		});
		const forB = await getWorkspace(db(), B, query({ action: '1' }), null, NOW);
		expect(forB.rows.map((r) => r.reference)).toEqual([ofB]);
	});

	it("shows the applicant what is missing, by when, and the IND's note, without a queue place", async () => {
		const ref = await sponsoredCase(KVK_A);
		await ingestEvents(db(), {
			events: [documentsRequested(ref, '2026-11-20T09:00:00Z', request)]
		});
		const { applicant_id } = await db()
			.selectFrom('case')
			.select('applicant_id')
			.where('reference', '=', ref)
			.executeTakeFirstOrThrow();
		const status = await getCaseStatus(db(), applicantPrincipal(applicant_id), ref, NOW);
		expect(status).toMatchObject({
			stage: 'missing_documents',
			stageKind: 'documents',
			queue: null,
			documents: {
				missing: ['proof_of_funds', 'diploma'],
				note: request.note,
				sendBefore: '2026-12-15'
			}
		});
		expect(status.timeline.find((s) => s.stage === 'missing_documents')?.state).toBe('current');
		// Back in the queue once the documents are in: the request is a detour, not a step
		// between the turn and the decision.
		await ingestEvents(db(), {
			events: [stageEntered(ref, '2026-11-25T09:00:00Z', 'assessment')]
		});
		const back = await getCaseStatus(db(), applicantPrincipal(applicant_id), ref, NOW);
		expect(back).toMatchObject({ stage: 'assessment', documents: null, decisionAtTurn: true });
		expect(back.queue).not.toBeNull();
		// Someone else's case stays "not found".
		await expect(
			getCaseStatus(db(), applicantPrincipal(applicant_id + 100_000), ref, NOW)
		).rejects.toMatchObject({ code: 'not_found' });
	});
});
