import { expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import { ingestEvents } from '$lib/server/events/event.service';
import { countAhead, findWaitingInOrder } from '../helpers/queue-order';
import { findQueuePosition, moveToStream } from '$lib/server/queue/queue.service';
import { describeEachEngine } from '../helpers/engines';
import { newReference, stageEntered, submitted } from '../helpers/factories';
import * as monthCounts from '../../../migrations/2026_12_04_000100_create_queue_month_and_hour_counts';

function random(seed: number) {
	return () => {
		seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
		return seed / 2 ** 31;
	};
}

/** The engine's answer for every waiting case equals a recount of the whole queue. */
async function expectPositionsMatchRecount(db: Db, product: string) {
	const order = await findWaitingInOrder(db, product, 'assessment', 100_000);
	const priority = order.filter((row) => row.stream === 'priority').length;
	for (const [index, row] of order.entries()) {
		const engine = await findQueuePosition(db, row.reference);
		expect(engine, row.reference).toMatchObject({
			ahead: index,
			// Counted apart for a normal-stream case only, which every priority case goes before.
			priorityAhead: row.stream === 'normal' ? priority : 0,
			waiting: order.length,
			position: index + 1
		});
	}
	const counts = await db
		.selectFrom('queue_day_count')
		.select((eb) => eb.fn.sum<number>('waiting').as('n'))
		.where('product_code', '=', product)
		.executeTakeFirst();
	expect(Number(counts?.n ?? 0)).toBe(order.length);
	// The per-month and per-hour counts that positions start from equal a recount of the entries.
	for (const [table, bucket] of [
		['queue_month_count', `date_trunc('month', entered_at at time zone 'UTC')::date::text`],
		['queue_hour_count', `date_trunc('hour', entered_at, 'UTC')::text`]
	]) {
		const column = table === 'queue_month_count' ? 'month' : 'hour';
		const kept = await sql<Bucket>`
			select stage_code, stream, ${sql.ref(column)}::text as bucket, waiting as n from ${sql.table(table)}
			where product_code = ${product} and waiting > 0 order by 1, 2, 3`.execute(db);
		const recount = await sql<Bucket>`
			select stage_code, stream, ${sql.raw(bucket)} as bucket, count(*)::int as n
			from queue_entry where product_code = ${product} and left_at is null group by 1, 2, 3 order by 1, 2, 3`.execute(
			db
		);
		expect(kept.rows, table).toEqual(recount.rows);
	}
}

interface Bucket {
	stage_code: string;
	stream: string;
	bucket: string;
	n: number;
}

describeEachEngine('position engine', ({ db }) => {
	it('equals a brute-force recount under interleaved entries, exits and priority moves', async () => {
		const next = random(42);
		const product = 'gezinshereniging';
		const waiting: string[] = [];
		let clock = Date.parse('2026-01-05T08:00:00Z');
		for (let round = 0; round < 12; round++) {
			const events = [];
			for (let i = 0; i < 15; i++) {
				const ref = newReference();
				// Several cases share an entry moment, and moments spread over days, to test ties and buckets.
				const at = new Date(clock + Math.floor(next() * 3) * 3_600_000 * 9).toISOString();
				events.push(
					submitted(ref, '2026-01-01T08:00:00Z', { product }),
					stageEntered(ref, at, 'fee_payment'),
					stageEntered(ref, at, 'assessment')
				);
				waiting.push(ref);
			}
			// Up to ten days a round: the rounds run from January into March, over month buckets.
			clock += 86_400_000 * (1 + Math.floor(next() * 10));
			expect((await ingestEvents(db(), { events })).ok).toBe(true);
			const leaving = waiting.splice(Math.floor(next() * waiting.length), 4);
			const exitAt = new Date(clock).toISOString();
			expect(
				(
					await ingestEvents(db(), {
						events: leaving.map((ref) => stageEntered(ref, exitAt, 'decision'))
					})
				).ok
			).toBe(true);
			for (let i = 0; i < 2; i++)
				await moveToStream(
					db(),
					waiting[Math.floor(next() * waiting.length)],
					next() < 0.8 ? 'priority' : 'normal'
				);
			await expectPositionsMatchRecount(db(), product);
		}
	});

	it('agrees with the naive count for an entry', async () => {
		const [first, second] = [newReference(), newReference()];
		await ingestEvents(db(), {
			events: [
				submitted(first, '2026-02-01T08:00:00Z', { product: 'studie' }),
				stageEntered(first, '2026-02-02T08:00:00Z', 'assessment'),
				submitted(second, '2026-02-01T08:00:00Z', { product: 'studie' }),
				stageEntered(second, '2026-02-03T08:00:00Z', 'assessment')
			]
		});
		const entry = await db()
			.selectFrom('queue_entry')
			.innerJoin('case', 'case.id', 'queue_entry.case_id')
			.selectAll('queue_entry')
			.where('reference', '=', second)
			.executeTakeFirstOrThrow();
		expect((await findQueuePosition(db(), second))?.ahead).toBe(await countAhead(db(), entry));
	});

	it('stays exact when many batches enter and leave at once', async () => {
		const product = 'verlenging';
		const batches = Array.from({ length: 8 }, (_, b) => {
			const refs = Array.from({ length: 25 }, () => newReference());
			return {
				refs,
				events: refs.flatMap((ref, i) => [
					submitted(ref, '2026-03-01T08:00:00Z', { product }),
					stageEntered(
						ref,
						new Date(Date.parse('2026-03-02T08:00:00Z') + (b * 25 + i) * 600_000).toISOString(),
						'fee_payment'
					),
					stageEntered(
						ref,
						new Date(
							Date.parse('2026-03-02T08:00:00Z') + (b * 25 + i) * 600_000 + 1000
						).toISOString(),
						'assessment'
					)
				])
			};
		});
		await Promise.all(batches.map((b) => ingestEvents(db(), { events: b.events })));
		await Promise.all(
			batches.map((b) =>
				ingestEvents(db(), {
					events: b.refs
						.slice(0, 5)
						.map((ref) => stageEntered(ref, '2026-04-01T08:00:00Z', 'decision'))
				})
			)
		);
		await expectPositionsMatchRecount(db(), product);
		const negative = await sql<{
			n: number;
		}>`select count(*)::int as n from queue_day_count where waiting < 0`.execute(db());
		expect(negative.rows[0].n).toBe(0);
		void randomUUID;
	});

	it('builds the month and hour counts of a queue that already waits, and back', async () => {
		const product = 'kennismigrant';
		const events = [];
		for (let i = 0; i < 30; i++) {
			const ref = newReference();
			const at = new Date(Date.parse('2025-11-20T08:00:00Z') + i * 3 * 86_400_000).toISOString();
			events.push(
				submitted(ref, '2025-11-01T08:00:00Z', { product }),
				stageEntered(ref, at, 'assessment')
			);
		}
		expect((await ingestEvents(db(), { events })).ok).toBe(true);
		await db()
			.transaction()
			.execute((trx) => monthCounts.down(trx));
		const tables = await sql<{ n: number }>`
			select count(*)::int as n from pg_class where relname = 'queue_month_count'`.execute(db());
		expect(tables.rows[0].n).toBe(0);
		await db()
			.transaction()
			.execute((trx) => monthCounts.up(trx));
		await expectPositionsMatchRecount(db(), product);
	});
});
