import { describe, expect, it } from 'vitest';
import type { Db } from '$lib/server/db';
import { recentlyComputed } from '$lib/server/utils/recent';

const db = {} as Db;

describe('recently computed values', () => {
	it('computes once per period, serves the last value while recomputing, and forgets failures', async () => {
		let runs = 0;
		let fail = false;
		let release: (() => void) | undefined;
		const get = recentlyComputed(1000, async (_db, now) => {
			runs += 1;
			if (fail) throw new Error('database down');
			if (runs === 2) await new Promise<void>((r) => (release = r));
			return now.getTime();
		});
		expect(await Promise.all([get(db, new Date(0)), get(db, new Date(10))])).toEqual([0, 0]);
		expect(runs).toBe(1);
		// Expired: the old value comes at once while the next is computed.
		expect(await get(db, new Date(1500))).toBe(0);
		expect(runs).toBe(2);
		release!();
		await new Promise((r) => setTimeout(r, 0));
		expect(await get(db, new Date(1600))).toBe(1500);
		fail = true;
		await get(db, new Date(3000));
		await new Promise((r) => setTimeout(r, 0));
		// After a failed run the next call tries again instead of keeping the failure.
		fail = false;
		expect(await get(db, new Date(3001))).toBe(1500);
		await new Promise((r) => setTimeout(r, 0));
		expect(await get(db, new Date(3002))).toBe(3001);
	});

	it('serves the last value to every caller while a slow recomputation is under way', async () => {
		let release: (() => void) | undefined;
		let runs = 0;
		const get = recentlyComputed(1000, async (_db, now) => {
			runs += 1;
			if (runs === 2) await new Promise<void>((r) => (release = r));
			return now.getTime();
		});
		expect(await get(db, new Date(0))).toBe(0);
		expect(await get(db, new Date(1500))).toBe(0);
		// The database hangs: later callers do not wait for the run that hangs.
		const later = await Promise.race([
			get(db, new Date(1600)),
			new Promise((r) => setTimeout(() => r('waited'), 50))
		]);
		expect(later).toBe(0);
		expect(runs).toBe(2);
		release!();
		await new Promise((r) => setTimeout(r, 0));
		expect(await get(db, new Date(1700))).toBe(1500);
	});

	it('keeps serving the last value, however old, while the database is down', async () => {
		let down = false;
		const get = recentlyComputed(1000, async (_db, now) => {
			if (down) throw new Error('connect ECONNREFUSED');
			return now.getTime();
		});
		expect(await get(db, new Date(0))).toBe(0);
		down = true;
		// Far past the age at which a value is served while a new one is merely under way.
		expect(await get(db, new Date(3_600_000))).toBe(0);
		await new Promise((r) => setTimeout(r, 0));
		expect(await get(db, new Date(3_600_001))).toBe(0);
		await new Promise((r) => setTimeout(r, 0));
		down = false;
		expect(await get(db, new Date(3_600_002))).toBe(0);
		await new Promise((r) => setTimeout(r, 0));
		expect(await get(db, new Date(3_600_003))).toBe(3_600_002);
	});

	it('fails when nothing was ever computed', async () => {
		const get = recentlyComputed(1000, async () => {
			throw new Error('connect ECONNREFUSED');
		});
		await expect(get(db, new Date(0))).rejects.toThrow('ECONNREFUSED');
	});
});
