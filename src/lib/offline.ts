/**
 * What the service worker keeps for the applicant on their own device, and for how long. Pure, so
 * the service worker, the server and the unit tests share one answer.
 *
 * Only the applicant's own case pages are kept: the list of their cases and each case. Staff,
 * counter and referent pages, the API, sign-in pages and every other response pass through.
 */
import { isCaseReference } from '$lib/reference';

export const DEFAULT_OFFLINE_DAYS = 30;
/** The query parameter on the service worker's address that carries the number of days. */
export const OFFLINE_DAYS_PARAM = 'offline-days';
/** The banner on a kept page (OfflineBanner.svelte), and the script that shows it. */
export const OFFLINE_BANNER_ID = 'offline-banner';
export const OFFLINE_BANNER_SCRIPT = '/offline-banner.js';
/** The page the service worker shows for a page it has not kept, when the network is gone. */
export const OFFLINE_PAGE = '/offline';

/** The path as the router sees it (`/c%61ses` is `/cases`); null when it does not decode. */
function routedPath(url: URL): string | null {
	try {
		return decodeURIComponent(url.pathname);
	} catch {
		return null;
	}
}

/**
 * The cache key of a personal page the applicant may keep offline, or null for any other
 * address. The query (`?lang=ar`) is left out: one copy per page, in the language last seen.
 */
export function personalPageKey(url: URL, origin: string): string | null {
	if (url.origin !== origin) return null;
	const path = routedPath(url);
	if (path === '/cases') return `${origin}/cases`;
	const match = path === null ? null : /^\/cases\/([^/]+)$/.exec(path);
	return match && isCaseReference(match[1]) ? `${origin}${path}` : null;
}

/**
 * Whether a request means that whoever uses the device now may not be the one whose pages are
 * kept: any request to the sign-in and sign-out pages (signing out, signing in as someone else,
 * landing on the sign-in page because the session has ended, activating or resetting an account).
 */
export function endsPersonalCopies(url: URL, origin: string): boolean {
	if (url.origin !== origin) return false;
	const path = routedPath(url);
	return path !== null && (path === '/auth' || path.startsWith('/auth/'));
}

/** The number of days a kept page may be shown, from the service worker's address (or the environment). */
export function offlineDays(value: string | null | undefined): number {
	const days = Number(value);
	return value && Number.isInteger(days) && days > 0 && days <= 365 ? days : DEFAULT_OFFLINE_DAYS;
}

/** Whether a response from the network may be kept as the applicant's copy of a page. */
export function isKeepable(response: Response): boolean {
	return (
		response.status === 200 &&
		// Same-origin answers only (a redirect the browser has still to follow is 'opaqueredirect').
		(response.type === 'basic' || response.type === 'default') &&
		!response.redirected &&
		(response.headers.get('Content-Type') ?? '').startsWith('text/html')
	);
}
