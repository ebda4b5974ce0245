import { describe, expect, it } from 'vitest';
import { isHttpError, type RequestEvent } from '@sveltejs/kit';
import { DEFAULT_BODY_LIMIT, handleBodyLimit, isUploadAction } from '$lib/server/http/body-limit';

const PAGE = '/cases/[reference=reference]/priority-request';

function event(routeId: string, url: string, init: RequestInit) {
	return {
		route: { id: routeId },
		url: new URL(url),
		request: new Request(url, init),
		locals: { lang: 'en' }
	} as unknown as RequestEvent;
}

async function answer(e: RequestEvent) {
	try {
		return await handleBodyLimit({ event: e, resolve: async () => new Response('resolved') });
	} catch (thrown) {
		if (isHttpError(thrown)) return thrown;
		throw thrown;
	}
}

describe('body limits per route', () => {
	it('knows the upload actions by route id and action name only', () => {
		const base = 'http://localhost/cases/IND-1/priority-request';
		expect(isUploadAction(PAGE, new URL(`${base}?/upload`))).toBe(true);
		expect(isUploadAction(PAGE, new URL(`${base}?/send`))).toBe(false);
		expect(isUploadAction('/staff', new URL('http://localhost/staff?/upload'))).toBe(false);
	});

	it('holds every other body to the old limit, with a translated page or a problem document', async () => {
		const big = String(DEFAULT_BODY_LIMIT + 1);
		const page = await answer(
			event(PAGE, 'http://localhost/cases/IND-1/priority-request?/send', {
				method: 'POST',
				body: 'x',
				headers: { 'content-length': big }
			})
		);
		expect(page).toMatchObject({
			status: 413,
			body: { message: expect.stringMatching(/too large/i) }
		});
		const api = (await answer(
			event('/api/v1/events', 'http://localhost/api/v1/events', {
				method: 'POST',
				body: 'x',
				headers: { 'content-length': big }
			})
		)) as Response;
		expect(api.status).toBe(413);
		expect(api.headers.get('content-type')).toBe('application/problem+json');
		// The upload action reads its own body, within its own limits.
		const upload = (await answer(
			event(PAGE, 'http://localhost/cases/IND-1/priority-request?/upload', {
				method: 'POST',
				body: 'x',
				headers: { 'content-length': String(60 * 1024 * 1024) }
			})
		)) as Response;
		expect(await upload.text()).toBe('resolved');
		const small = (await answer(
			event(PAGE, 'http://localhost/cases/IND-1/priority-request?/send', {
				method: 'POST',
				body: 'a=b',
				headers: { 'content-length': '3' }
			})
		)) as Response;
		expect(await small.text()).toBe('resolved');
		// A body without a length could not be limited before it is read.
		const chunked = await answer(
			event(PAGE, 'http://localhost/cases/IND-1/priority-request?/send', {
				method: 'POST',
				body: 'a=b'
			})
		);
		expect(chunked).toMatchObject({ status: 411 });
	});
});
