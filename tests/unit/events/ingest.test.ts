import { expect, it } from 'vitest';
import { ingestEvents } from '$lib/server/events/event.service';
import { describeEachEngine } from '../helpers/engines';
import { refusal } from './refusal';
import { decided, newReference, stageEntered, submitted } from '../helpers/factories';

describeEachEngine('event ingestion', ({ db }) => {
	it('creates a case and puts it in the queue of its queue stage', async () => {
		const ref = newReference();
		const result = await ingestEvents(db(), {
			events: [
				submitted(ref, '2026-01-05T09:00:00+01:00'),
				stageEntered(ref, '2026-01-06T09:00:00+01:00', 'registration_interview_queue')
			]
		});
		expect(result).toEqual({ ok: true, accepted: 2, duplicates: 0 });
		const c = await db()
			.selectFrom('case')
			.selectAll()
			.where('reference', '=', ref)
			.executeTakeFirstOrThrow();
		expect(c.stage_code).toBe('registration_interview_queue');
		expect(c.deadline).toBe('2026-07-06');
		const entries = await db()
			.selectFrom('queue_entry')
			.selectAll()
			.where('case_id', '=', c.id)
			.execute();
		expect(entries).toHaveLength(1);
		expect(entries[0].left_at).toBeNull();
	});

	it('leaves the queue when the case moves on or is decided', async () => {
		const ref = newReference();
		await ingestEvents(db(), {
			events: [
				submitted(ref, '2026-01-05T09:00:00+01:00'),
				stageEntered(ref, '2026-01-06T09:00:00+01:00', 'registration_interview_queue'),
				stageEntered(ref, '2026-02-06T09:00:00+01:00', 'registration_interview'),
				stageEntered(ref, '2026-02-07T09:00:00+01:00', 'detailed_interview_queue')
			]
		});
		await ingestEvents(db(), { events: [decided(ref, '2026-03-01T09:00:00+01:00')] });
		const entries = await db()
			.selectFrom('queue_entry')
			.innerJoin('case', 'case.id', 'queue_entry.case_id')
			.select(['queue_entry.stage_code', 'entered_at', 'left_at'])
			.where('reference', '=', ref)
			.orderBy('entered_at')
			.execute();
		expect(entries.map((e) => [e.stage_code, e.left_at?.toISOString()])).toEqual([
			['registration_interview_queue', '2026-02-06T08:00:00.000Z'],
			['detailed_interview_queue', '2026-03-01T08:00:00.000Z']
		]);
	});

	it('reports a replayed batch as duplicates and changes nothing', async () => {
		const ref = newReference();
		const batch = {
			events: [
				submitted(ref, '2026-01-05T09:00:00+01:00'),
				stageEntered(ref, '2026-01-06T09:00:00+01:00', 'registration_interview_queue')
			]
		};
		await ingestEvents(db(), batch);
		const before = await db()
			.selectFrom('queue_entry')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.executeTakeFirstOrThrow();
		expect(await ingestEvents(db(), batch)).toEqual({ ok: true, accepted: 0, duplicates: 2 });
		const after = await db()
			.selectFrom('queue_entry')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.executeTakeFirstOrThrow();
		expect(Number(after.n)).toBe(Number(before.n));
	});

	it('stores nothing of a batch with one bad event and names the field', async () => {
		const ref = newReference();
		const bad = submitted(newReference(), '2026-01-05T09:00:00+01:00');
		(bad.data as { vNumber: string }).vNumber = '12';
		const errors = await refusal(
			ingestEvents(db(), { events: [submitted(ref, '2026-01-05T09:00:00+01:00'), bad] })
		);
		expect(errors).toEqual([
			{
				index: 1,
				field: 'data.vNumber',
				code: 'invalid',
				message: 'must be a V-number of 10 digits'
			}
		]);
		expect(
			await db().selectFrom('case').select('id').where('reference', '=', ref).executeTakeFirst()
		).toBeUndefined();
	});

	it('rejects events about unknown cases, unknown stages and out-of-order stages without storing anything', async () => {
		const ref = newReference();
		await ingestEvents(db(), {
			events: [
				submitted(ref, '2026-01-05T09:00:00+01:00'),
				stageEntered(ref, '2026-02-01T09:00:00+01:00', 'registration_interview_queue')
			]
		});
		const errors = await refusal(
			ingestEvents(db(), {
				events: [
					stageEntered(newReference(), '2026-02-02T09:00:00+01:00', 'assessment'),
					stageEntered(ref, '2026-02-02T09:00:00+01:00', 'collect_document'),
					stageEntered(ref, '2026-01-20T09:00:00+01:00', 'registration_interview')
				]
			})
		);
		expect(errors.map((e) => [e.index, e.field, e.code])).toEqual([
			[0, 'case', 'unknown_case'],
			[1, 'data.stage', 'unknown_stage'],
			[2, 'occurredAt', 'out_of_order']
		]);
		expect(errors[1].message).toContain('does not exist for product asiel');
	});
});

describeEachEngine('event ingestion audit', ({ db }) => {
	it('records each accepted batch of the case system in the audit log, and nothing for a rejected one', async () => {
		const actor = { userId: null, role: 'api', organisation: 'api-key:7', ip: '10.0.0.9' };
		const ref = newReference();
		await ingestEvents(db(), { events: [submitted(ref, '2026-01-05T09:00:00+01:00')] }, { actor });
		await refusal(
			ingestEvents(
				db(),
				{ events: [stageEntered(newReference(), '2026-01-05T09:00:00+01:00', 'assessment')] },
				{ actor }
			)
		);
		const rows = await db()
			.selectFrom('audit_event')
			.select(['action', 'actor_organisation', 'details'])
			.where('action', '=', 'events.ingested')
			.execute();
		expect(rows).toEqual([
			{
				action: 'events.ingested',
				actor_organisation: 'api-key:7',
				details: { accepted: 1, duplicates: 0, cases: 1 }
			}
		]);
	});
});
