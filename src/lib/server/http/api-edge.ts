import type { Handle, RequestEvent } from '@sveltejs/kit';
import { problemResponse } from './errors';
import { apiErrors, databaseUnavailable } from './api.errors';

// Only picks the answer's shape: access is decided by the route the router matched.
export const isApi = (event: RequestEvent) =>
	event.route.id?.startsWith('/api/') ?? event.url.pathname.startsWith('/api/');

export const noEndpoint = (event: RequestEvent) =>
	apiErrors.error('not_found', { detail: `there is no endpoint at ${event.url.pathname}` });

/**
 * Every refusal and failure of the API is a problem document: a method an endpoint lacks, an
 * endpoint that failed unexpectedly (with the id handleError logged it under), and a path under
 * /api that names no endpoint, for a client that asks for JSON; others get the site's own 404
 * page, as for every other path no route matches.
 */
export const handleApiProblems: Handle = async ({ event, resolve }) => {
	if (!isApi(event)) return resolve(event);
	if (event.route.id === null)
		return /json/.test(event.request.headers.get('accept') ?? '')
			? problemResponse(noEndpoint(event))
			: resolve(event);
	const response = await resolve(event);
	if (response.headers.get('content-type')?.includes('problem+json')) return response;
	// An endpoint that threw what nobody foresaw: handleError logged it under an id.
	if (response.status === 500) {
		const { errorId, code } = await response.json().catch(() => ({}));
		if (code === 'database_unavailable')
			return problemResponse(databaseUnavailable('try again in a moment'));
		return problemResponse(
			apiErrors.error('unexpected', {
				detail: `an unexpected error; quote ${errorId ?? 'the time of the request'} to the IND`
			}),
			{},
			errorId ? { errorId } : {}
		);
	}
	if (response.status !== 405) return response;
	const allow = response.headers.get('allow');
	return problemResponse(
		apiErrors.error('method_not_allowed', {
			detail: `${event.request.method} is not allowed here${allow ? `; use ${allow}` : ''}`
		}),
		allow ? { Allow: allow } : {}
	);
};
