import { expect, it } from 'vitest';
import { createDatabase } from '$lib/server/db';
import { migrateToLatest } from '$lib/server/db/migrate';
import { getRecentStatistics, isOutdated } from '$lib/server/statistics/statistics.service';

it('keeps serving the last statistics, marked as outdated, once the database is gone', async () => {
	const db = createDatabase({ pgliteDir: 'memory' });
	await migrateToLatest(db);
	const computedAt = new Date();
	const first = await getRecentStatistics(db, computedAt);
	expect(first.queues.length).toBeGreaterThan(0);
	expect(isOutdated(first, computedAt)).toBe(false);
	await db.destroy();

	// An hour later every query fails; the page still gets the figures, with their own moment.
	const later = new Date(computedAt.getTime() + 60 * 60_000);
	const served = await getRecentStatistics(db, later);
	expect(served).toBe(first);
	expect(served.computedAt).toEqual(computedAt);
	expect(isOutdated(served, later)).toBe(true);
	await new Promise((resolve) => setTimeout(resolve, 10));
	expect(await getRecentStatistics(db, new Date(later.getTime() + 1000))).toBe(first);
});
