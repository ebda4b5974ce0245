import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { defaultPoolSize } from '$lib/server/db';
import { admission } from '$lib/server/http/admission';
import { handleDatabaseOutage } from '$lib/server/outage';

function eventFor(path: string, subRequest = false): RequestEvent {
	const url = new URL(`http://localhost${path}`);
	return {
		url,
		request: new Request(url, { method: 'POST', headers: { accept: 'application/json' } }),
		locals: { lang: 'nl', user: null, sessionId: null, apiKeyId: null },
		isDataRequest: false,
		isSubRequest: subRequest
	} as unknown as RequestEvent;
}

/** A request's work that runs until the test lets it finish. */
function heldWork() {
	const started: string[] = [];
	const release = new Map<string, () => void>();
	const resolveFor = (event: RequestEvent) => {
		started.push(event.url.pathname);
		return new Promise<Response>((done) =>
			release.set(event.url.pathname, () => done(new Response(event.url.pathname)))
		);
	};
	return { started, release, resolveFor };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('the door in front of the database pool', () => {
	it('lets in as many requests as the pool has connections; the next goes in, first come first served, when one finishes', async () => {
		const handle = admission(2, 2000);
		const work = heldWork();
		const answers = ['/a', '/b', '/c', '/d'].map((path) =>
			handle({ event: eventFor(path), resolve: work.resolveFor as never })
		);
		await tick();
		expect(work.started).toEqual(['/a', '/b']);
		work.release.get('/b')!();
		await tick();
		expect(work.started).toEqual(['/a', '/b', '/c']);
		work.release.get('/a')!();
		await tick();
		expect(work.started).toEqual(['/a', '/b', '/c', '/d']);
		work.release.get('/c')!();
		work.release.get('/d')!();
		const bodies = await Promise.all(answers.map(async (a) => (await a).text()));
		expect(bodies).toEqual(['/a', '/b', '/c', '/d']);
	});

	it("lets a page's own fetch in beside it, so a full door cannot lock a page out of its own data", async () => {
		const handle = admission(1, 2000);
		const work = heldWork();
		void handle({ event: eventFor('/page'), resolve: work.resolveFor as never });
		void handle({ event: eventFor('/page/data', true), resolve: work.resolveFor as never });
		await tick();
		expect([...work.started].sort()).toEqual(['/page', '/page/data']);
		work.release.get('/page')!();
		work.release.get('/page/data')!();
	});

	it('refuses a request that waited longer than a connection may be waited for: 503 with Retry-After, and its work never runs', async () => {
		const door = admission(1, 30);
		const work = heldWork();
		const handle = (path: string) =>
			handleDatabaseOutage({
				event: eventFor(path),
				resolve: ((event: RequestEvent) =>
					door({ event, resolve: work.resolveFor as never })) as never
			});
		const first = handle('/book-1');
		const second = handle('/book-2');
		await new Promise((r) => setTimeout(r, 60));
		work.release.get('/book-1')!();
		expect((await first).status).toBe(200);
		const refused = await second;
		expect(refused.status).toBe(503);
		expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
		expect((await refused.json()).code).toBe('database_unavailable');
		expect(work.started).toEqual(['/book-1']);
	});

	it('stands open without a pool (the embedded database runs one query at a time anyway)', async () => {
		const handle = admission(null, 2000);
		const work = heldWork();
		for (const path of ['/a', '/b', '/c'])
			void handle({ event: eventFor(path), resolve: work.resolveFor as never });
		await tick();
		expect(work.started).toEqual(['/a', '/b', '/c']);
		for (const release of work.release.values()) release();
	});

	it('sizes the pool at two connections per core, from 4 to 10', () => {
		expect([1, 2, 3, 4, 5, 8, 64].map((cores) => defaultPoolSize(cores))).toEqual([
			4, 4, 6, 8, 10, 10, 10
		]);
	});
});
