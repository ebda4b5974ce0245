import { expect, test } from 'vitest';
import { describeEachEngine } from '../helpers/engines';
import { consume, deleteEndedWindows, peek, refund, reset } from '$lib/server/ratelimit/rate-limit';

describeEachEngine('rate limit', ({ db }) => {
	const minute = 60_000;

	test('allows the limit within a window, refuses the next, and allows again once the window has ended', async () => {
		const limits = [{ key: 'test:window', limit: 3, windowMs: minute }];
		const start = new Date('2026-12-01T10:00:00Z');
		for (let i = 0; i < 3; i++) expect((await consume(db(), limits, start)).allowed).toBe(true);
		const fourth = await consume(db(), limits, new Date(start.getTime() + 1000));
		expect(fourth).toEqual({ allowed: false, retryAt: new Date(start.getTime() + minute) });
		expect((await peek(db(), limits, new Date(start.getTime() + 2000))).allowed).toBe(false);
		expect((await consume(db(), limits, new Date(start.getTime() + minute))).allowed).toBe(true);
	});

	test('a hundred parallel hits on one key are counted one by one: exactly the limit is allowed', async () => {
		const limits = [{ key: 'test:parallel', limit: 5, windowMs: minute }];
		const verdicts = await Promise.all(Array.from({ length: 100 }, () => consume(db(), limits)));
		expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
	});

	test('any key over its limit refuses, and says when the latest block ends', async () => {
		const now = new Date('2026-12-01T11:00:00Z');
		const narrow = { key: 'test:narrow', limit: 1, windowMs: minute };
		const wide = { key: 'test:wide', limit: 100, windowMs: 10 * minute };
		await consume(db(), [narrow, wide], now);
		expect(await consume(db(), [narrow, wide], now)).toEqual({
			allowed: false,
			retryAt: new Date(now.getTime() + minute)
		});
	});

	test('refund gives a hit back, reset forgets the key, and ended windows are deleted', async () => {
		const now = new Date('2026-12-01T12:00:00Z');
		const limits = [{ key: 'test:refund', limit: 1, windowMs: minute }];
		await consume(db(), limits, now);
		await refund(db(), limits);
		expect((await consume(db(), limits, now)).allowed).toBe(true);
		await reset(db(), ['test:refund']);
		expect((await peek(db(), limits, now)).allowed).toBe(true);
		await consume(
			db(),
			[{ key: 'test:old', limit: 1, windowMs: minute }],
			new Date('2026-01-01T00:00:00Z')
		);
		expect(await deleteEndedWindows(db(), now)).toBeGreaterThanOrEqual(1);
		expect(
			(await db().selectFrom('rate_limit').select('key').where('key', '=', 'test:old').execute())
				.length
		).toBe(0);
	});
});
