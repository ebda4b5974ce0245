import { expect, test } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import {
	authorised,
	newReference,
	postActivationLetter,
	scopedKeys,
	stageEntered,
	submitted
} from '../support/api';

const now = () => new Date().toISOString();

async function newCase(request: import('@playwright/test').APIRequestContext) {
	const reference = newReference();
	const response = await request.post('/api/v1/events', {
		data: { events: [submitted(reference, now())] },
		headers: authorised()
	});
	expect(response.status()).toBe(200);
	return reference;
}

test('a key without the route scope is refused with 403 in the JSON error shape', async ({
	request
}) => {
	const { eventsOnly, lettersOnly } = scopedKeys();
	const reference = newReference();
	const events = await request.post('/api/v1/events', {
		data: { events: [submitted(reference, now())] },
		headers: authorised(lettersOnly)
	});
	expect(events.status()).toBe(403);
	expect((await events.json()).errors).toEqual([
		expect.objectContaining({
			index: -1,
			field: '',
			code: 'missing_scope',
			message: expect.stringContaining('events:write')
		})
	]);

	expect(
		(
			await request.post('/api/v1/events', {
				data: { events: [submitted(reference, now())] },
				headers: authorised(eventsOnly)
			})
		).status()
	).toBe(200);
	const letter = await postActivationLetter(request, reference, randomUUID(), eventsOnly);
	expect(letter.status()).toBe(403);
	expect((await letter.json()).errors[0]).toMatchObject({ code: 'missing_scope' });
	expect((await postActivationLetter(request, reference, randomUUID(), lettersOnly)).status()).toBe(
		200
	);
});

test('a key over its requests a minute gets 429 with Retry-After in the JSON error shape', async ({
	request
}) => {
	const { limited } = scopedKeys();
	const answers = [];
	for (let i = 0; i < 4; i++)
		answers.push(
			await request.post('/api/v1/events', { data: { events: [] }, headers: authorised(limited) })
		);
	expect(answers.map((a) => a.status())).toEqual([200, 200, 200, 429]);
	const refused = answers[3];
	const retryAfter = Number(refused.headers()['retry-after']);
	expect(retryAfter).toBeGreaterThanOrEqual(1);
	expect(retryAfter).toBeLessThanOrEqual(60);
	expect((await refused.json()).errors).toEqual([
		expect.objectContaining({ index: -1, field: '', code: 'rate_limited' })
	]);
	// Other keys have limits of their own.
	expect(
		(await request.post('/api/v1/events', { data: { events: [] }, headers: authorised() })).status()
	).toBe(200);
});

test('the activation letter is a POST, idempotent for its Idempotency-Key; GET answers 405', async ({
	request
}) => {
	const reference = await newCase(request);
	const requestId = randomUUID();
	const first = await postActivationLetter(request, reference, requestId);
	expect(first.status()).toBe(200);
	const letter = await first.json();
	expect(letter).toMatchObject({
		reference,
		code: expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/)
	});

	const retry = await postActivationLetter(request, reference, requestId);
	expect(retry.status()).toBe(200);
	expect(await retry.json()).toEqual(letter);
	expect(retry.headers()['idempotent-replayed']).toBe('true');

	const fresh = await postActivationLetter(request, reference, randomUUID());
	expect((await fresh.json()).code).not.toBe(letter.code);

	const missing = await request.post(`/api/v1/cases/${reference}/activation-letter`, {
		headers: authorised()
	});
	expect(missing.status()).toBe(400);
	expect((await missing.json()).errors[0]).toMatchObject({
		field: 'Idempotency-Key',
		code: 'invalid'
	});

	const get = await request.get(`/api/v1/cases/${reference}/activation-letter`, {
		headers: authorised()
	});
	expect(get.status()).toBe(405);
	expect(get.headers()['allow']).toBe('POST');
	expect((await get.json()).errors[0]).toMatchObject({ code: 'method_not_allowed' });

	const unknown = await postActivationLetter(request, 'IND-2026-99999998');
	expect(unknown.status()).toBe(404);
});

test('an event dated more than 5 minutes ahead is refused with its index, field and code', async ({
	request
}) => {
	const reference = await newCase(request);
	const ahead = new Date(Date.now() + 10 * 60_000).toISOString();
	const response = await request.post('/api/v1/events', {
		data: {
			events: [
				stageEntered(reference, now(), 'assessment'),
				stageEntered(reference, ahead, 'decision')
			]
		},
		headers: authorised()
	});
	expect(response.status()).toBe(400);
	expect((await response.json()).errors).toEqual([
		expect.objectContaining({ index: 1, field: 'occurredAt', code: 'in_future' })
	]);
});
