import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
	asRequest,
	createDatabase,
	databaseProblem,
	defaultPoolSize,
	type Db
} from '$lib/server/db';
import { connectionInTime, servedWithOthers, turns } from '$lib/server/db/turns';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('turns at the database', () => {
	it('gives as many turns as there are places; the next waiter gets the turn one ends, first come first served', async () => {
		const gate = turns(2, 2000);
		const given: string[] = [];
		const ends = new Map<string, () => void>();
		for (const name of ['a', 'b', 'c', 'd'])
			void asRequest(() =>
				gate.take().then((end) => {
					given.push(name);
					ends.set(name, end);
				})
			);
		await tick();
		expect(given).toEqual(['a', 'b']);
		ends.get('b')!();
		await tick();
		expect(given).toEqual(['a', 'b', 'c']);
		ends.get('a')!();
		await tick();
		expect(given).toEqual(['a', 'b', 'c', 'd']);
	});

	it("puts a request's later query ahead of other requests' first queries, even those that waited longer", async () => {
		const gate = turns(1, 2000);
		const order: string[] = [];
		let endBlocker = () => {};
		let askAgain = () => {};
		// The place is taken; a request that has had a turn before asks again after two newcomers.
		await asRequest(() => gate.take()).then((end) => (endBlocker = end));
		const returning = asRequest(async () => {
			const end = await gate.take();
			order.push('returning: first query');
			end();
			await new Promise<void>((r) => (askAgain = r));
			const again = await gate.take();
			order.push('returning: second query');
			again();
		});
		await tick();
		expect(order).toEqual([]);
		endBlocker();
		await tick();
		expect(order).toEqual(['returning: first query']);
		// The place is taken again, and two newcomers queue before the returning request asks.
		const blocker = await asRequest(() => gate.take());
		const newcomers = ['new 1', 'new 2'].map((name) =>
			asRequest(async () => {
				const end = await gate.take();
				order.push(name);
				end();
			})
		);
		await tick();
		askAgain();
		await tick();
		blocker();
		await Promise.all([returning, ...newcomers]);
		expect(order).toEqual(['returning: first query', 'returning: second query', 'new 1', 'new 2']);
	});

	it("counts a read that went in another request's statement as the request's first round trip", async () => {
		const gate = turns(1, 2000);
		const order: string[] = [];
		const blocker = await asRequest(() => gate.take());
		const newcomer = asRequest(async () => {
			const end = await gate.take();
			order.push('newcomer');
			end();
		});
		await tick();
		// Its case was read with others' (db/batched.ts); its next query asks after the newcomer.
		const shared = asRequest(async () => {
			servedWithOthers();
			const end = await gate.take();
			order.push('shared');
			end();
		});
		await tick();
		blocker();
		await Promise.all([newcomer, shared]);
		expect(order).toEqual(['shared', 'newcomer']);
	});

	it('refuses a turn not given within the wait as a database timeout (a 503), and never gives it later', async () => {
		const gate = turns(1, 30);
		const end = await asRequest(() => gate.take());
		let givenLate = false;
		const refused = await asRequest(() =>
			gate.take().then(
				(endLate) => {
					givenLate = true;
					endLate();
					return null;
				},
				(error: unknown) => error
			)
		);
		expect(databaseProblem(refused)).toBe('timeout');
		end();
		await tick();
		expect(givenLate).toBe(false);
		// The place is free again for the next one.
		const next = await asRequest(() => gate.take());
		next();
	});

	it('lets the turn and the connection share one connect timeout, and hands a connection that comes late back to the pool', async () => {
		let released = 0;
		const client = { release: () => (released += 1) };
		let connected = (_: typeof client) => {};
		const connecting = new Promise<typeof client>((r) => (connected = r));
		// 2 s in all, 1,980 ms of it spent waiting for the turn: 20 ms are left for the connection.
		const refused = await connectionInTime(connecting, 20, 2000).catch((e: unknown) => e);
		expect(databaseProblem(refused)).toBe('timeout');
		connected(client);
		await tick();
		expect(released).toBe(1);
		// In time, the connection is the caller's.
		const quick = Promise.resolve(client);
		expect(await connectionInTime(quick, 20, 2000)).toBe(client);
		expect(released).toBe(1);
	});

	it('sizes the pool at two connections per core, from 4 to 10', () => {
		expect([1, 2, 3, 4, 5, 8, 64].map((cores) => defaultPoolSize(cores))).toEqual([
			4, 4, 6, 8, 10, 10, 10
		]);
	});
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('turns on a real PostgreSQL pool', () => {
	it("runs a request's second query before a newcomer's first when one connection is free", async () => {
		const db: Db = createDatabase({ url: process.env.TEST_DATABASE_URL, poolSize: 1 });
		try {
			const order: string[] = [];
			let letGo = () => {};
			const held = new Promise<void>((r) => (letGo = r));
			let firstDone = () => {};
			const afterFirst = new Promise<void>((r) => (firstDone = r));
			const request = asRequest(async () => {
				await sql`select 1`.execute(db);
				order.push('request: first');
				firstDone();
				await held;
				await sql`select 2`.execute(db);
				order.push('request: second');
			});
			await afterFirst;
			// The one connection is busy with a long statement; a newcomer queues first.
			const busy = asRequest(() => sql`select pg_sleep(0.2)`.execute(db));
			await tick();
			const newcomer = asRequest(async () => {
				await sql`select 3`.execute(db);
				order.push('newcomer');
			});
			await tick();
			letGo();
			await Promise.all([request, busy, newcomer]);
			expect(order).toEqual(['request: first', 'request: second', 'newcomer']);
		} finally {
			await db.destroy();
		}
	});
});
