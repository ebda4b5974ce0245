import { isHttpError, isRedirect, json, type Handle, type RequestEvent } from '@sveltejs/kit';
import { defaultLanguage, languageOf, translator } from '$lib/i18n';
import { databaseProblem, RETRY_AFTER_SECONDS } from '$lib/server/db';
import { problemResponse } from '$lib/server/http/errors';
import { databaseUnavailable } from '$lib/server/http/api.errors';

/**
 * When PostgreSQL is down or slow, every request still gets an answer within 5 seconds: 503
 * with Retry-After and a message that says what the person can do, never a 500 or a wait.
 */

/** The answer a request gets at the latest, whatever it waits for. The database's own limits normally end it sooner. */
export const REQUEST_DEADLINE_MS = Number(process.env.REQUEST_TIMEOUT_MS) || 4500;

interface OutageState {
	/** handleError saw an error that means the database is unavailable. */
	databaseFailed: boolean;
	/** The session cookie could not be checked: the person is neither signed in nor signed out. */
	sessionUnchecked: boolean;
}

const states = new WeakMap<App.Locals, OutageState>();

function stateOf(event: Pick<RequestEvent, 'locals'>): OutageState {
	let state = states.get(event.locals);
	if (!state)
		states.set(event.locals, (state = { databaseFailed: false, sessionUnchecked: false }));
	return state;
}

/** For handleError: true (and remembered for this request) when `error` means the database is unavailable. */
export function noteDatabaseFailure(
	event: Pick<RequestEvent, 'locals' | 'request' | 'url'>,
	error: unknown
): boolean {
	const problem = databaseProblem(error);
	if (!problem) return false;
	stateOf(event).databaseFailed = true;
	console.warn(
		`${event.request.method} ${event.url.pathname}: database ${problem} (${(error as Error).message})`
	);
	return true;
}

/**
 * For the session lookup: when the database cannot say whether the session is valid, the
 * cookie is kept (the person is not signed out) and the request goes on without a user; a page
 * that needs one then answers 503 instead of sending them to sign in. Other errors are rethrown.
 */
export function sessionUnchecked(event: Pick<RequestEvent, 'locals'>, error: unknown): undefined {
	if (!databaseProblem(error)) throw error;
	stateOf(event).sessionUnchecked = true;
	return undefined;
}

const SIGN_IN = '/auth/login';

async function sendsToSignIn(response: Response): Promise<boolean> {
	if (response.status >= 300 && response.status < 400)
		return (response.headers.get('location') ?? '').startsWith(SIGN_IN);
	if (response.status === 401 || response.status === 403) return true;
	// A redirect thrown for a client-side navigation or an enhanced form comes as JSON.
	if (response.status === 200 && (response.headers.get('content-type') ?? '').includes('json')) {
		const body = await response.clone().text();
		return (
			body.length < 2000 &&
			/"type":"redirect"/.test(body) &&
			body.includes(`"location":"${SIGN_IN}`)
		);
	}
	return false;
}

function retryHeaders(headers?: Headers): Headers {
	const result = new Headers(headers);
	result.set('Retry-After', String(RETRY_AFTER_SECONDS));
	result.set('Cache-Control', 'no-store');
	return result;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A 503 answer of our own, for when no page could be rendered: a problem document for the API,
 * JSON for data requests, else a small page.
 */
export function unavailableResponse(event: RequestEvent): Response {
	const lang = languageOf(event.locals.lang)?.code ?? defaultLanguage;
	const t = translator(lang);
	const message = t('errors.database_unavailable');
	const path = event.url.pathname;
	if (path.startsWith('/api/'))
		return problemResponse(
			databaseUnavailable('send the same request again later'),
			{ 'Retry-After': String(RETRY_AFTER_SECONDS) },
			{ message }
		);
	if (
		event.isDataRequest ||
		(event.request.headers.get('accept') ?? '').startsWith('application/json')
	) {
		return json(
			{ message, code: 'database_unavailable' },
			{ status: 503, headers: retryHeaders() }
		);
	}
	const title = t('error_page.unavailable_title');
	const retry = escapeHtml(event.url.pathname + event.url.search);
	const html = `<!doctype html>
<html lang="${lang}" dir="${languageOf(lang)!.dir}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)} – ${escapeHtml(t('service_name'))}</title></head>
<body style="font-family: system-ui, sans-serif; font-size: 1.125rem; line-height: 1.5; max-width: 40rem; margin: 0 auto; padding: 0 1rem; color: #000">
<p style="background: #154273; color: #fff; margin: 0 -1rem 2rem; padding: 1rem; font-weight: bold">${escapeHtml(t('service_name'))}</p>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="${retry}" style="color: #154273">${escapeHtml(t('error_page.retry'))}</a></p>
</body>
</html>`;
	return new Response(html, {
		status: 503,
		headers: retryHeaders(new Headers({ 'Content-Type': 'text/html; charset=utf-8' }))
	});
}

/**
 * Turns what the database's unavailability did to a request into 503 with Retry-After: an error
 * thrown by a hook, a page rendered with the error, a session that could not be checked, or a
 * request still waiting at the deadline (its work runs on, bounded by the database's limits,
 * and writes only in transactions, so nothing is half-written).
 */
export const handleDatabaseOutage: Handle = async ({ event, resolve }) => {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const late = new Promise<'late'>(
		(done) => (timer = setTimeout(() => done('late'), REQUEST_DEADLINE_MS))
	);
	const work = Promise.resolve()
		.then(() => resolve(event))
		.then(
			(response) => ({ response }),
			(error: unknown) => ({ error })
		);
	const outcome = await Promise.race([work, late]);
	clearTimeout(timer);
	if (outcome === 'late') {
		console.warn(
			`${event.request.method} ${event.url.pathname}: no answer within ${REQUEST_DEADLINE_MS} ms; answered 503`
		);
		return unavailableResponse(event);
	}
	if ('error' in outcome) {
		const thrown = outcome.error;
		if (databaseProblem(thrown)) {
			stateOf(event).databaseFailed = true;
			return unavailableResponse(event);
		}
		if (states.get(event.locals)?.sessionUnchecked) {
			const toSignIn = isRedirect(thrown)
				? thrown.location.startsWith(SIGN_IN)
				: isHttpError(thrown) && (thrown.status === 401 || thrown.status === 403);
			if (toSignIn) return unavailableResponse(event);
		}
		throw thrown;
	}
	const { response } = outcome;
	const state = states.get(event.locals);
	if (!state) return response;
	if (state.sessionUnchecked && (await sendsToSignIn(response))) return unavailableResponse(event);
	if (state.databaseFailed && response.status >= 500) {
		return new Response(response.body, { status: 503, headers: retryHeaders(response.headers) });
	}
	return response;
};
