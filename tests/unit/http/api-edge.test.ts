/**
 * The API's edge answers every refusal and failure as a problem document, also those that no
 * service threw: SvelteKit's own 405 and the JSON it writes for an endpoint that crashed.
 */
import { describe, expect, it } from 'vitest';
import { json, type RequestEvent } from '@sveltejs/kit';
import { handleApiProblems } from '$lib/server/http/api-edge';

function eventAt(routeId: string | null, path: string, accept = 'application/json') {
	return {
		route: { id: routeId },
		url: new URL(`http://localhost${path}`),
		request: new Request(`http://localhost${path}`, { method: 'POST', headers: { accept } })
	} as unknown as RequestEvent;
}

const edge = (event: RequestEvent, answer: Response) =>
	handleApiProblems({ event, resolve: async () => answer });

describe('the API edge', () => {
	it('turns an endpoint that crashed into a 500 problem that quotes the logged error id', async () => {
		// What SvelteKit answers for an endpoint that threw: handleError's object as JSON.
		const crashed = json({ message: 'Er ging iets mis', errorId: 'a1b2c3d4' }, { status: 500 });
		const response = await edge(eventAt('/api/v1/events', '/api/v1/events'), crashed);
		expect(response.status).toBe(500);
		expect(response.headers.get('content-type')).toBe('application/problem+json');
		const problem = await response.json();
		expect(problem).toMatchObject({
			type: 'tag:mijn-aanvraag.ind.nl,2026:problem/api/unexpected',
			status: 500,
			code: 'unexpected',
			errorId: 'a1b2c3d4',
			errors: [{ index: -1, field: '', code: 'unexpected' }]
		});
		expect(problem.detail).toContain('a1b2c3d4');
	});

	it('answers a database outage inside an endpoint as a 503 problem with Retry-After', async () => {
		const failed = json({ message: 'Database weg', code: 'database_unavailable' }, { status: 500 });
		const response = await edge(eventAt('/api/v1/events', '/api/v1/events'), failed);
		expect(response.status).toBe(503);
		expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
		expect((await response.json()).code).toBe('database_unavailable');
	});

	it('keeps a 405 Allow header inside a problem document', async () => {
		const refused = new Response('Method not allowed', { status: 405, headers: { allow: 'GET' } });
		const response = await edge(eventAt('/api/v1/health', '/api/v1/health'), refused);
		expect(response.status).toBe(405);
		expect(response.headers.get('allow')).toBe('GET');
		expect((await response.json()).code).toBe('method_not_allowed');
	});

	it('leaves answers that are already problems, successes and pages alone', async () => {
		const ok = json({ accepted: 1 });
		expect(await edge(eventAt('/api/v1/events', '/api/v1/events'), ok)).toBe(ok);
		const page = new Response('<h1>Fout</h1>', { status: 500 });
		expect(await edge(eventAt('/cases', '/cases'), page)).toBe(page);
	});
});
