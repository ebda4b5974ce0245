import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:net';
import { error, json, redirect, type RequestEvent } from '@sveltejs/kit';
import { sql } from 'kysely';
import { createDatabase } from '$lib/server/db';
import {
	handleDatabaseOutage,
	noteDatabaseFailure,
	REQUEST_DEADLINE_MS,
	sessionUnchecked
} from '$lib/server/outage';

/** A real error of a refused connection, as the pool gives it. */
let refused: unknown;

beforeAll(async () => {
	const closed = createServer();
	await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
	const port = (closed.address() as { port: number }).port;
	await new Promise((resolve) => closed.close(resolve));
	const db = createDatabase({
		url: `postgres://nobody@127.0.0.1:${port}/none`,
		timeouts: { connectMs: 500, statementMs: 500, idleInTransactionMs: 500, queryMs: 500 }
	});
	refused = await sql`select 1`.execute(db).then(
		() => null,
		(e: unknown) => e
	);
	await db.destroy();
	expect(refused).toBeTruthy();
});

afterEach(() => {
	vi.useRealTimers();
});

function eventFor(
	path: string,
	options: { lang?: string; dataRequest?: boolean; method?: string } = {}
): RequestEvent {
	const url = new URL(`http://localhost${path}`);
	return {
		url,
		request: new Request(url, { method: options.method ?? 'GET' }),
		locals: { lang: options.lang ?? 'en', user: null, sessionId: null, apiKeyId: null },
		isDataRequest: options.dataRequest ?? false
	} as unknown as RequestEvent;
}

function run(
	event: RequestEvent,
	resolve: (event: RequestEvent) => Response | Promise<Response>
): Promise<Response> {
	return Promise.resolve(handleDatabaseOutage({ event, resolve: resolve as never }));
}

describe('answering while the database is unavailable', () => {
	it('answers 503 with Retry-After and a translated page when a hook could not reach the database', async () => {
		const response = await run(eventFor('/cases', { lang: 'nl' }), () => {
			throw refused;
		});
		expect(response.status).toBe(503);
		expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const html = await response.text();
		expect(html).toContain('<html lang="nl" dir="ltr">');
		expect(html).toContain('Deze dienst werkt even niet');
		expect(html).toContain('Probeer het over een paar minuten opnieuw');
	});

	it('writes the page right to left in Arabic and Farsi', async () => {
		for (const lang of ['ar', 'fa']) {
			const response = await run(eventFor('/cases', { lang }), () => Promise.reject(refused));
			const html = await response.text();
			expect(html).toContain(`<html lang="${lang}" dir="rtl">`);
			expect(html).not.toContain('errors.database_unavailable');
		}
	});

	it('answers the API with a problem document, and data requests as JSON', async () => {
		const api = await run(eventFor('/api/v1/events', { method: 'POST' }), () =>
			Promise.reject(refused)
		);
		expect(api.status).toBe(503);
		expect(api.headers.get('retry-after')).toMatch(/^\d+$/);
		expect(api.headers.get('content-type')).toBe('application/problem+json');
		expect(await api.json()).toMatchObject({
			type: 'tag:mijn-aanvraag.ind.nl,2026:problem/api/database_unavailable',
			title: 'Temporarily unavailable',
			status: 503,
			code: 'database_unavailable',
			detail: expect.stringContaining('send the same request again later'),
			errors: [{ index: -1, field: '', code: 'database_unavailable' }]
		});
		const data = await run(eventFor('/cases/__data.json', { dataRequest: true }), () =>
			Promise.reject(refused)
		);
		expect(data.status).toBe(503);
		expect(await data.json()).toMatchObject({ code: 'database_unavailable' });
	});

	it('turns a page rendered with a database error into 503, keeping the page', async () => {
		const event = eventFor('/cases/IND-2026-00000001');
		const response = await run(event, () => {
			// What SvelteKit does with an error thrown by a load: handleError, then the error page with 500.
			expect(noteDatabaseFailure(event, refused)).toBe(true);
			return new Response('<h1>error page</h1>', {
				status: 500,
				headers: { 'Content-Type': 'text/html' }
			});
		});
		expect(response.status).toBe(503);
		expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
		expect(await response.text()).toBe('<h1>error page</h1>');
	});

	it('leaves other errors alone: a bug is still a 500', async () => {
		const event = eventFor('/cases');
		const bug = new TypeError('x is not a function');
		await expect(run(event, () => Promise.reject(bug))).rejects.toBe(bug);
		expect(noteDatabaseFailure(event, bug)).toBe(false);
		const page = await run(event, () => new Response('oops', { status: 500 }));
		expect(page.status).toBe(500);
	});
});

describe('a session that cannot be checked', () => {
	it('is not treated as signed out: a page that needs a user answers 503, not a sign-in redirect', async () => {
		for (const guard of [
			() => redirect(303, '/auth/login?next=%2Fcases'),
			() => error(401, 'sign in'),
			() => new Response(null, { status: 303, headers: { location: '/auth/login?next=%2Fcases' } }),
			() => json({ type: 'redirect', location: '/auth/login?next=%2Fcases' })
		]) {
			const event = eventFor('/cases');
			expect(sessionUnchecked(event, refused)).toBeUndefined();
			const response = await run(event, guard as () => Response);
			expect(response.status).toBe(503);
			expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
		}
	});

	it('does not stop a public page that needs no user', async () => {
		const event = eventFor('/statistics');
		sessionUnchecked(event, refused);
		const response = await run(event, () => new Response('figures', { status: 200 }));
		expect(response.status).toBe(200);
		expect(await response.text()).toBe('figures');
	});

	it('is only about the database: another error in the session lookup is thrown on', () => {
		const bug = new RangeError('bad date');
		expect(() => sessionUnchecked(eventFor('/cases'), bug)).toThrow(bug);
	});

	it('leaves a sign-in redirect alone when the session was checked', async () => {
		const response = await run(
			eventFor('/cases'),
			() => new Response(null, { status: 303, headers: { location: '/auth/login' } })
		);
		expect(response.status).toBe(303);
	});
});

describe('the request deadline', () => {
	it('answers 503 when a request is still waiting after the deadline', async () => {
		vi.useFakeTimers();
		const answer = run(eventFor('/cases'), () => new Promise<Response>(() => {}));
		await vi.advanceTimersByTimeAsync(REQUEST_DEADLINE_MS - 1);
		let settled = false;
		void answer.then(() => (settled = true));
		await vi.advanceTimersByTimeAsync(0);
		expect(settled).toBe(false);
		await vi.advanceTimersByTimeAsync(1);
		const response = await answer;
		expect(response.status).toBe(503);
		expect(REQUEST_DEADLINE_MS).toBeLessThan(5000);
	});
});
