import { expect, it } from 'vitest';
import { ingestEvents } from '$lib/server/events/event.service';
import { findWaitingInOrder } from '../helpers/queue-order';
import { findQueuePosition, moveToStream } from '$lib/server/queue/queue.service';
import { describeEachEngine } from '../helpers/engines';
import { newReference, stageEntered, submitted } from '../helpers/factories';

// Each test uses its own product so that the queues do not mix between tests.
async function enqueue(db: Parameters<typeof ingestEvents>[0], product: string, at: string[]) {
	const refs = at.map(() => newReference());
	const events = refs.flatMap((ref, i) => [
		submitted(ref, '2026-01-02T09:00:00+01:00', { product }),
		stageEntered(ref, at[i], 'assessment')
	]);
	const result = await ingestEvents(db, { events });
	expect(result.ok).toBe(true);
	return refs;
}

describeEachEngine('queues', ({ db }) => {
	it('orders a queue first in, first out, ties by entry', async () => {
		const [a, b, c, d] = await enqueue(db(), 'studie', [
			'2026-01-10T09:00:00+01:00',
			'2026-01-05T09:00:00+01:00',
			'2026-01-10T09:00:00+01:00',
			'2026-01-07T09:00:00+01:00'
		]);
		const order = (await findWaitingInOrder(db(), 'studie', 'assessment')).map((r) => r.reference);
		expect(order).toEqual([b, d, a, c]);
		expect((await findQueuePosition(db(), c))?.position).toBe(4);
		expect((await findQueuePosition(db(), b))?.ahead).toBe(0);
	});

	it('leaves the queue when the case moves on, and the cases behind move up', async () => {
		const [a, b, c] = await enqueue(db(), 'kennismigrant', [
			'2026-01-05T09:00:00+01:00',
			'2026-01-06T09:00:00+01:00',
			'2026-01-07T09:00:00+01:00'
		]);
		await ingestEvents(db(), {
			events: [{ ...stageEntered(a, '2026-02-01T09:00:00+01:00', 'decision') }]
		});
		expect(await findQueuePosition(db(), a)).toBeNull();
		expect((await findQueuePosition(db(), b))?.position).toBe(1);
		expect((await findQueuePosition(db(), c))?.position).toBe(2);
	});

	it('serves the priority stream first, first in first out within it', async () => {
		const [a, b, c, d] = await enqueue(db(), 'naturalisatie', [
			'2026-01-05T09:00:00+01:00',
			'2026-01-06T09:00:00+01:00',
			'2026-01-07T09:00:00+01:00',
			'2026-01-08T09:00:00+01:00'
		]);
		await moveToStream(db(), d, 'priority');
		await moveToStream(db(), c, 'priority');
		const order = (await findWaitingInOrder(db(), 'naturalisatie', 'assessment')).map(
			(r) => r.reference
		);
		expect(order).toEqual([c, d, a, b]);
		expect(await findQueuePosition(db(), d)).toMatchObject({ position: 2, stream: 'priority' });
		expect((await findQueuePosition(db(), a))?.ahead).toBe(2);
	});

	it('keeps a case in the priority stream when it enters a later queue', async () => {
		const ref = newReference();
		await ingestEvents(db(), {
			events: [
				submitted(ref, '2026-01-02T09:00:00+01:00'),
				stageEntered(ref, '2026-01-03T09:00:00+01:00', 'registration_interview_queue')
			]
		});
		await moveToStream(db(), ref, 'priority');
		await ingestEvents(db(), {
			events: [
				stageEntered(ref, '2026-01-10T09:00:00+01:00', 'registration_interview'),
				stageEntered(ref, '2026-01-11T09:00:00+01:00', 'detailed_interview_queue')
			]
		});
		expect(await findQueuePosition(db(), ref)).toMatchObject({
			stageCode: 'detailed_interview_queue',
			stream: 'priority'
		});
	});

	it('refuses a second open queue entry for one case in the database itself', async () => {
		const [ref] = await enqueue(db(), 'verlenging', ['2026-01-05T09:00:00+01:00']);
		const c = await db()
			.selectFrom('case')
			.select('id')
			.where('reference', '=', ref)
			.executeTakeFirstOrThrow();
		await expect(
			db()
				.insertInto('queue_entry')
				.values({
					case_id: c.id,
					product_code: 'verlenging',
					stage_code: 'assessment',
					entered_at: new Date()
				})
				.execute()
		).rejects.toThrow(/queue_entry_one_open_per_case/);
	});

	it('refuses to rewrite the event history', async () => {
		await expect(db().deleteFrom('case_event').execute()).rejects.toThrow(/append-only/);
	});
});
