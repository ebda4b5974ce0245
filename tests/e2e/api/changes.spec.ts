/**
 * The change feed as the case system reads it: only with the scope, a cursor it can store, and a
 * clear refusal of a cursor it cannot mean. The services' ordering under concurrent writers is
 * proven in tests/unit/changes/feed.test.ts; the booking pages' own spec reads bookings here.
 */
import { expect, test } from '@playwright/test';
import { authorised, scopedKeys } from '../support/api';

test('the change feed needs a key with changes:read', async ({ request }) => {
	const none = await request.get('/api/v1/changes');
	expect(none.status()).toBe(401);
	expect(none.headers()['content-type']).toBe('application/problem+json');
	const wrongScope = await request.get('/api/v1/changes', {
		headers: authorised(scopedKeys().eventsOnly)
	});
	expect(wrongScope.status()).toBe(403);
	expect((await wrongScope.json()).code).toBe('missing_scope');
});

test('a client continues from the cursor it stored and sees nothing twice', async ({ request }) => {
	const first = await request.get('/api/v1/changes?limit=1000', { headers: authorised() });
	expect(first.status()).toBe(200);
	expect(first.headers()['cache-control']).toBe('no-store');
	const page = await first.json();
	expect(page).toEqual({ changes: expect.any(Array), next: expect.any(Number), more: false });
	const cursors = page.changes.map((c: { cursor: number }) => c.cursor);
	expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
	for (const change of page.changes)
		expect(change).toEqual({
			cursor: expect.any(Number),
			at: expect.stringMatching(/Z$/),
			kind: expect.stringMatching(/^(booked|moved|cancelled|attended|no_show)$/),
			case: expect.stringMatching(/^IND-\d{4}-\d{8}$/),
			data: expect.any(Object)
		});
	const after = await request.get(`/api/v1/changes?after=${page.next}`, { headers: authorised() });
	const rest = await after.json();
	expect(rest.changes.every((c: { cursor: number }) => c.cursor > page.next)).toBe(true);
	expect(rest.next).toBeGreaterThanOrEqual(page.next);
});

test('a cursor or limit that is not a whole number is refused as a problem, naming the field', async ({
	request
}) => {
	for (const [query, field] of [
		['after=-1', 'after'],
		['after=1e3', 'after'],
		['after=abc', 'after'],
		['limit=0', 'limit'],
		['limit=1001', 'limit']
	]) {
		const response = await request.get(`/api/v1/changes?${query}`, { headers: authorised() });
		expect(response.status(), query).toBe(400);
		const problem = await response.json();
		expect(problem.code).toBe('invalid');
		expect(problem.errors[0].field, query).toBe(field);
	}
});
