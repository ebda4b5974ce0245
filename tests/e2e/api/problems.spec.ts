import { expect, test, type APIResponse } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import {
	authorised,
	newReference,
	postActivationLetter,
	scopedKeys,
	submitted
} from '../support/api';

const now = () => new Date().toISOString();

/** Every refusal of the API is one RFC 9457 problem document, with the errors list clients read. */
async function problemOf(response: APIResponse, status: number, code: string) {
	expect(response.status()).toBe(status);
	expect(response.headers()['content-type']).toBe('application/problem+json');
	expect(response.headers()['cache-control']).toBe('no-store');
	const body = await response.json();
	expect(body).toMatchObject({
		type: expect.stringMatching(
			new RegExp(`^tag:mijn-aanvraag\\.ind\\.nl,2026:problem/[a-z-]+/${code}$`)
		),
		title: expect.any(String),
		status,
		code,
		detail: expect.any(String)
	});
	expect(body.errors.length).toBeGreaterThan(0);
	for (const item of body.errors)
		expect(item).toEqual({
			index: expect.any(Number),
			field: expect.any(String),
			code: expect.any(String),
			message: expect.any(String)
		});
	return body;
}

test('the event API refuses in problem documents: no key, a key without the scope, too large, not JSON', async ({
	request
}) => {
	const body = { events: [submitted(newReference(), now())] };
	const missing = await request.post('/api/v1/events', { data: body });
	expect(missing.headers()['www-authenticate']).toBe('Bearer');
	expect((await problemOf(missing, 401, 'unauthenticated')).errors).toEqual([
		{ index: -1, field: '', code: 'unauthenticated', message: expect.stringContaining('API key') }
	]);

	const { lettersOnly } = scopedKeys();
	const scope = await request.post('/api/v1/events', {
		data: body,
		headers: authorised(lettersOnly)
	});
	expect((await problemOf(scope, 403, 'missing_scope')).detail).toContain('events:write');

	const many = Array.from({ length: 1001 }, () => submitted(newReference(), now()));
	await problemOf(
		await request.post('/api/v1/events', { data: { events: many }, headers: authorised() }),
		413,
		'too_large'
	);
	await problemOf(
		await request.post('/api/v1/events', {
			// A Buffer is sent as it is (a string would be sent as a JSON string).
			data: Buffer.from('{"events": ['),
			headers: { ...authorised(), 'Content-Type': 'application/json' }
		}),
		400,
		'invalid'
	);
});

test('a refused batch keeps each event’s index, field, code and message in errors', async ({
	request
}) => {
	const bad = submitted(newReference(), now());
	bad.data.applicant.birthDate = '12-05-1999';
	const response = await request.post('/api/v1/events', {
		data: { events: [submitted(newReference(), now()), bad] },
		headers: authorised()
	});
	const problem = await problemOf(response, 400, 'rejected');
	expect(problem.errors).toEqual([
		{
			index: 1,
			field: 'data.applicant.birthDate',
			code: 'invalid',
			message: 'must be a date as YYYY-MM-DD'
		}
	]);
});

test('a method an endpoint lacks, and the letter’s refusals, are problem documents', async ({
	request
}) => {
	const get = await request.get('/api/v1/events', { headers: authorised() });
	expect(get.headers()['allow']).toContain('POST');
	await problemOf(get, 405, 'method_not_allowed');

	const letter = await request.get(`/api/v1/cases/${newReference()}/activation-letter`, {
		headers: authorised()
	});
	expect(letter.headers()['allow']).toBe('POST');
	await problemOf(letter, 405, 'method_not_allowed');

	const unknown = await postActivationLetter(request, 'IND-2026-99999996', randomUUID());
	expect((await problemOf(unknown, 404, 'unknown_case')).errors[0].field).toBe('reference');

	const noKey = await request.post(`/api/v1/cases/${newReference()}/activation-letter`, {
		headers: authorised()
	});
	expect((await problemOf(noKey, 400, 'invalid')).errors[0].field).toBe('Idempotency-Key');
});

test('a path under /api that names no endpoint is a 404 problem for a JSON client', async ({
	request
}) => {
	const response = await request.get('/api/v1/no-such-endpoint', {
		headers: { Accept: 'application/json' }
	});
	await problemOf(response, 404, 'not_found');
});
