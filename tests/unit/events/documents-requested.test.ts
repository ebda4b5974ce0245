import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { ingestEvents } from '$lib/server/events/event.service';
import { describeEachEngine } from '../helpers/engines';
import { refusal } from './refusal';
import {
	decided,
	documentsRequested,
	newReference,
	stageEntered,
	submitted
} from '../helpers/factories';

describeEachEngine('the request for missing documents (herstel verzuim)', ({ db }) => {
	/** A kennismigrant case waiting in assessment since 10 January. */
	async function waitingCase() {
		const ref = newReference();
		await ingestEvents(db(), {
			events: [
				submitted(ref, '2026-01-05T09:00:00Z', { product: 'kennismigrant' }),
				stageEntered(ref, '2026-01-10T09:00:00Z', 'assessment')
			]
		});
		return ref;
	}

	async function requestsOf(ref: string) {
		return db()
			.selectFrom('document_request')
			.innerJoin('case', 'case.id', 'document_request.case_id')
			.select(['missing', 'note', 'send_before', 'resolved_at', 'resolution'])
			.where('case.reference', '=', ref)
			.orderBy('document_request.id')
			.execute();
	}

	async function caseOf(ref: string) {
		return db()
			.selectFrom('case')
			.select(['id', 'stage_code', 'stage_entered_at'])
			.where('reference', '=', ref)
			.executeTakeFirstOrThrow();
	}

	async function openEntries(ref: string) {
		return db()
			.selectFrom('queue_entry')
			.innerJoin('case', 'case.id', 'queue_entry.case_id')
			.select(['queue_entry.stage_code', 'entered_at'])
			.where('case.reference', '=', ref)
			.where('left_at', 'is', null)
			.execute();
	}

	it('moves the case to the missing documents stage, out of its queue, with the request open', async () => {
		const ref = await waitingCase();
		const result = await ingestEvents(db(), {
			events: [
				documentsRequested(ref, '2026-02-01T09:00:00Z', {
					missing: ['salary_statement', 'employment_contract', 'salary_statement'],
					before: '2026-03-01',
					note: '  De loonstroken van november en december 2025.  '
				})
			]
		});
		expect(result).toEqual({ ok: true, accepted: 1, duplicates: 0 });
		const c = await caseOf(ref);
		expect(c.stage_code).toBe('missing_documents');
		expect(c.stage_entered_at.toISOString()).toBe('2026-02-01T09:00:00.000Z');
		expect(await requestsOf(ref)).toEqual([
			{
				missing: ['salary_statement', 'employment_contract'],
				note: 'De loonstroken van november en december 2025.',
				send_before: '2026-03-01',
				resolved_at: null,
				resolution: null
			}
		]);
		// Nobody waits behind a case the IND cannot work on.
		expect(await openEntries(ref)).toEqual([]);
	});

	it('is resolved by the next stage, and the case queues again from that moment', async () => {
		const ref = await waitingCase();
		await ingestEvents(db(), {
			events: [
				documentsRequested(ref, '2026-02-01T09:00:00Z'),
				stageEntered(ref, '2026-02-20T09:00:00Z', 'assessment')
			]
		});
		const [request] = await requestsOf(ref);
		expect(request.resolution).toBe('stage_changed');
		expect(request.resolved_at?.toISOString()).toBe('2026-02-20T09:00:00.000Z');
		expect((await caseOf(ref)).stage_code).toBe('assessment');
		expect((await openEntries(ref)).map((e) => [e.stage_code, e.entered_at.toISOString()])).toEqual(
			[['assessment', '2026-02-20T09:00:00.000Z']]
		);
	});

	it('is resolved by the decision or a withdrawal, in a later batch', async () => {
		const first = await waitingCase();
		const second = await waitingCase();
		await ingestEvents(db(), {
			events: [
				documentsRequested(first, '2026-02-01T09:00:00Z'),
				documentsRequested(second, '2026-02-01T09:00:00Z')
			]
		});
		await ingestEvents(db(), {
			events: [
				decided(first, '2026-02-10T09:00:00Z', 'refused'),
				{
					id: randomUUID(),
					type: 'case.withdrawn',
					occurredAt: '2026-02-11T09:00:00Z',
					case: second,
					data: {}
				}
			]
		});
		expect((await requestsOf(first)).map((r) => r.resolution)).toEqual(['case_decided']);
		expect((await requestsOf(second)).map((r) => r.resolution)).toEqual(['case_withdrawn']);
		expect((await caseOf(first)).stage_code).toBe('decision');
	});

	it('replaces an open request with a new one, keeping one open at a time', async () => {
		const ref = await waitingCase();
		await ingestEvents(db(), { events: [documentsRequested(ref, '2026-02-01T09:00:00Z')] });
		const enteredAt = (await caseOf(ref)).stage_entered_at;
		await ingestEvents(db(), {
			events: [
				documentsRequested(ref, '2026-02-15T09:00:00Z', {
					missing: ['diploma', 'legalisation'],
					before: '2026-03-15'
				})
			]
		});
		expect((await requestsOf(ref)).map((r) => [r.missing, r.send_before, r.resolution])).toEqual([
			[['salary_statement'], '2026-03-01', 'replaced'],
			[['diploma', 'legalisation'], '2026-03-15', null]
		]);
		// Still the same stage, entered when the first request came.
		expect((await caseOf(ref)).stage_entered_at).toEqual(enteredAt);
		// The database itself holds the invariant.
		const { id } = await caseOf(ref);
		await expect(
			sql`insert into document_request (case_id, event_id, missing, send_before, requested_at)
				select ${id}, id, array['passport'], '2026-04-01', now() from case_event
				where case_id = ${id} and type = 'case.submitted'`.execute(db())
		).rejects.toThrow(/document_request_open_per_case/);
	});

	it('stores a request made and answered in one batch, resolved', async () => {
		const ref = await waitingCase();
		await ingestEvents(db(), {
			events: [
				documentsRequested(ref, '2026-02-01T09:00:00Z'),
				documentsRequested(ref, '2026-02-02T09:00:00Z', {
					missing: ['passport'],
					before: '2026-03-02'
				}),
				stageEntered(ref, '2026-02-10T09:00:00Z', 'assessment')
			]
		});
		expect((await requestsOf(ref)).map((r) => r.resolution)).toEqual(['replaced', 'stage_changed']);
	});

	it('changes nothing when the same event comes again', async () => {
		const ref = await waitingCase();
		const event = documentsRequested(ref, '2026-02-01T09:00:00Z');
		await ingestEvents(db(), { events: [event] });
		expect(await ingestEvents(db(), { events: [event] })).toEqual({
			ok: true,
			accepted: 0,
			duplicates: 1
		});
		expect(await requestsOf(ref)).toHaveLength(1);
	});

	it('names each wrong field of a request and stores nothing of the batch', async () => {
		const ref = await waitingCase();
		const errors = await refusal(
			ingestEvents(db(), {
				events: [
					documentsRequested(ref, '2026-02-01T09:00:00Z', {
						missing: ['passport', 'tax_return'],
						before: '2026-03-01'
					}),
					documentsRequested(ref, '2026-02-01T09:00:00Z', { missing: [], before: '1 maart' }),
					documentsRequested(ref, '2026-02-01T09:00:00Z', {
						missing: Array(21).fill('other'),
						before: '2026-03-01',
						note: 'x'.repeat(501)
					}),
					documentsRequested(ref, '2026-02-01T09:00:00Z', { before: '2026-03-01' })
				]
			})
		);
		expect(errors.map((e) => [e.index, e.field, e.code])).toEqual([
			[0, 'data.missing.1', 'invalid'],
			[1, 'data.missing', 'invalid'],
			[1, 'data.before', 'invalid'],
			[2, 'data.missing', 'invalid'],
			[2, 'data.note', 'invalid'],
			[3, 'data.missing', 'invalid']
		]);
		expect(errors[0].message).toMatch(/^must be one of passport, birth_certificate, .*other$/);
		expect(errors[1].message).toBe('must name at least one document');
		expect(errors[2].message).toBe('must be a date as YYYY-MM-DD');
		expect(errors[3].message).toBe('must name at most 20 documents');
		expect(errors[4].message).toBe('must be at most 500 characters');
		expect(await requestsOf(ref)).toEqual([]);
	});

	it('refuses a request for a closed case, a product without the stage, a date already past, or the stage entered without one', async () => {
		const ref = await waitingCase();
		const closed = await waitingCase();
		await ingestEvents(db(), { events: [decided(closed, '2026-02-01T09:00:00Z')] });
		const asylum = newReference();
		await ingestEvents(db(), { events: [submitted(asylum, '2026-01-05T09:00:00Z')] });
		const errors = await refusal(
			ingestEvents(db(), {
				events: [
					documentsRequested(closed, '2026-02-02T09:00:00Z'),
					documentsRequested(asylum, '2026-02-02T09:00:00Z'),
					documentsRequested(ref, '2026-02-02T09:00:00Z', {
						missing: ['passport'],
						before: '2026-02-01'
					}),
					stageEntered(ref, '2026-02-03T09:00:00Z', 'missing_documents')
				]
			})
		);
		expect(errors.map((e) => [e.index, e.field, e.code])).toEqual([
			[0, 'case', 'case_closed'],
			[1, 'type', 'no_documents_stage'],
			[2, 'data.before', 'invalid'],
			[3, 'data.stage', 'stage_not_allowed']
		]);
		expect(errors[1].message).toContain('product asiel has no stage for missing documents');
		expect((await caseOf(ref)).stage_code).toBe('assessment');
	});
});
