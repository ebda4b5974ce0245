import { expect, test } from '@playwright/test';
import { authorised, newReference, stageEntered, submitted } from '../support/api';

const now = () => new Date().toISOString();

test('refuses a request without a key or with an unknown key', async ({ request }) => {
	const body = { events: [submitted(newReference(), now())] };
	const missing = await request.post('/api/v1/events', { data: body });
	expect(missing.status()).toBe(401);
	const unknown = await request.post('/api/v1/events', {
		data: body,
		headers: { Authorization: 'Bearer ma_notakey' }
	});
	expect(unknown.status()).toBe(401);
	expect((await unknown.json()).errors[0].message).toContain('API key');
});

test('accepts a batch once and reports a replay as duplicates', async ({ request }) => {
	const ref = newReference();
	const body = { events: [submitted(ref, now()), stageEntered(ref, now(), 'assessment')] };
	const first = await request.post('/api/v1/events', { data: body, headers: authorised() });
	expect(first.status()).toBe(200);
	expect(await first.json()).toEqual({ accepted: 2, duplicates: 0 });
	const replay = await request.post('/api/v1/events', { data: body, headers: authorised() });
	expect(await replay.json()).toEqual({ accepted: 0, duplicates: 2 });
});

test('stores nothing of a batch with one bad event and names the field', async ({ request }) => {
	const good = newReference();
	const bad = submitted(newReference(), now());
	bad.data.applicant.birthDate = '12-05-1999';
	const response = await request.post('/api/v1/events', {
		data: { events: [submitted(good, now()), bad] },
		headers: authorised()
	});
	expect(response.status()).toBe(400);
	expect((await response.json()).errors).toEqual([
		{
			index: 1,
			field: 'data.applicant.birthDate',
			code: 'invalid',
			message: 'must be a date as YYYY-MM-DD'
		}
	]);
	// The good event of the rejected batch was not stored: a stage event for it is refused.
	const later = await request.post('/api/v1/events', {
		data: { events: [stageEntered(good, now(), 'assessment')] },
		headers: authorised()
	});
	expect(later.status()).toBe(400);
	expect((await later.json()).errors[0]).toMatchObject({ index: 0, field: 'case' });
});

test('refuses a batch over 1,000 events or a body that is not JSON', async ({ request }) => {
	const many = Array.from({ length: 1001 }, () => submitted(newReference(), now()));
	const tooMany = await request.post('/api/v1/events', {
		data: { events: many },
		headers: authorised()
	});
	expect(tooMany.status()).toBe(413);
	const notJson = await request.post('/api/v1/events', {
		data: '{"events": [',
		headers: { ...authorised(), 'Content-Type': 'application/json' }
	});
	expect(notJson.status()).toBe(400);
});

test('reports the database as reachable', async ({ request }) => {
	const response = await request.get('/api/health');
	expect(response.status()).toBe(200);
	expect(await response.json()).toMatchObject({ status: 'ok', database: { reachable: true } });
	expect(response.headers()['cache-control']).toBe('no-store');
});
