import { error, type Handle, type RequestEvent } from '@sveltejs/kit';
import { translator } from '$lib/i18n';
import { apiErrors } from './api.errors';
import { problemResponse } from './errors';
import { isApi } from './api-edge';

/**
 * Per-route limits on request bodies. The server's global limit (adapter-node's BODY_SIZE_LIMIT)
 * is off, so that an oversize upload gets the form's translated message rather than a bare 413;
 * here every other request is held to the limit it always had. The event API keeps its own 2 MB
 * (its handler checks it), and an upload action reads its body as a stream within its own limits.
 */
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

/** Form actions that take files, by route id: they parse their body themselves, within limits. */
export const UPLOAD_ACTIONS: Record<string, readonly string[]> = {
	'/cases/[reference=reference]/priority-request': ['save', 'upload']
};

/** The action a POST to a page asks for (`?/name`), or null for the default action. */
function actionOf(url: URL): string | null {
	const key = [...url.searchParams.keys()].find((k) => k.startsWith('/'));
	return key ? key.slice(1) : null;
}

export function isUploadAction(routeId: string | null, url: URL): boolean {
	if (routeId === null) return false;
	const action = actionOf(url);
	return action !== null && (UPLOAD_ACTIONS[routeId] ?? []).includes(action);
}

function refuse(event: RequestEvent, status: 411 | 413) {
	if (isApi(event))
		return problemResponse(
			apiErrors.error('too_large', {
				detail:
					status === 411
						? 'send the body with a Content-Length'
						: `the body may be at most ${DEFAULT_BODY_LIMIT} bytes`
			})
		);
	const t = translator(event.locals.lang);
	error(status, t(status === 411 ? 'errors.length_required' : 'errors.too_large'));
}

export const handleBodyLimit: Handle = async ({ event, resolve }) => {
	const { request } = event;
	if (request.method === 'GET' || request.method === 'HEAD' || !request.body) return resolve(event);
	if (isUploadAction(event.route.id, event.url)) return resolve(event);
	const length = request.headers.get('content-length');
	// Without a length the body cannot be limited before it is read; browsers always send one.
	if (length === null) return refuse(event, 411);
	if (Number(length) > DEFAULT_BODY_LIMIT) return refuse(event, 413);
	return resolve(event);
};
