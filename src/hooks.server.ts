import {
	error,
	redirect,
	type Handle,
	type HandleServerError,
	type RequestEvent,
	type ServerInit
} from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { randomUUID } from 'node:crypto';
import { defaultLanguage, languageOf, languagesFor, negotiate, translator } from '$lib/i18n';
import { notingPageTexts, resumePageTexts, withPageTexts } from '$lib/i18n/eager';
import { startApp } from '$lib/server/app';
import { asRequest, db } from '$lib/server/db';
import {
	deleteSessionCookie,
	sessionCookieName,
	setSessionCookie,
	validateSessionToken
} from '$lib/server/auth/session';
import { verdictFor } from '$lib/access';
import { rememberLanguage } from '$lib/server/auth/language-preference';
import { authenticateApiKey } from '$lib/server/api-keys/api-key.service';
import { DomainError } from '$lib/server/errors';
import { problemResponse } from '$lib/server/http/errors';
import { handleApiProblems, isApi, noEndpoint } from '$lib/server/http/api-edge';
import { securityHeaders } from '$lib/server/http/security-headers';
import { handleBodyLimit } from '$lib/server/http/body-limit';
import { handleDatabaseOutage, noteDatabaseFailure, sessionUnchecked } from '$lib/server/outage';

export const init: ServerInit = async () => {
	await startApp();
};

const LANG_COOKIE = 'lang';

function setLanguageCookie(event: RequestEvent, code: string) {
	event.cookies.set(LANG_COOKIE, code, {
		path: '/',
		maxAge: 60 * 60 * 24 * 365,
		httpOnly: false,
		sameSite: 'lax'
	});
}

/** The preferred language if the route's pages are written in it; else Dutch, as <html lang> says. */
function pageLanguage(event: RequestEvent, preferred: string): string {
	return languagesFor(event.route.id).some((l) => l.code === preferred)
		? preferred
		: defaultLanguage;
}

const handleLocale: Handle = async ({ event, resolve }) => {
	const asked = event.url.searchParams.get('lang');
	if (asked && languageOf(asked)) setLanguageCookie(event, asked);
	const preferred =
		languageOf(asked)?.code ??
		languageOf(event.cookies.get(LANG_COOKIE))?.code ??
		negotiate(event.request.headers.get('accept-language')) ??
		defaultLanguage;
	event.locals.lang = pageLanguage(event, preferred);
	// Read when the page is written: handleLanguagePreference may still change the language.
	return notingPageTexts(() =>
		resolve(event, {
			transformPageChunk: ({ html }) =>
				withPageTexts(html, {
					lang: event.locals.lang,
					dir: languageOf(event.locals.lang)!.dir
				})
		})
	);
};

/**
 * A signed-in person's language is also kept with their account, for e-mail and push: a switch
 * is stored, and on a device without a language cookie (just signed in) the stored one applies.
 */
const handleLanguagePreference: Handle = async ({ event, resolve }) => {
	const user = event.locals.user;
	if (!user || event.isSubRequest) return resolve(event);
	// Secondary to the page: when the database cannot be reached, the page is still served.
	// The stored language comes with the session, so that most requests cost no query here.
	const kept = languageOf(event.locals.accountLanguage)?.code;
	const asked = languageOf(event.url.searchParams.get('lang'))?.code;
	if (asked) {
		if (asked !== kept) await rememberLanguage(db, user.id, asked).catch(() => undefined);
	} else if (!languageOf(event.cookies.get(LANG_COOKIE))) {
		const stored = kept;
		if (stored) {
			setLanguageCookie(event, stored);
			event.locals.lang = pageLanguage(event, stored);
		}
	}
	return resolve(event);
};

const handleHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	for (const [name, value] of Object.entries(securityHeaders(event.url)))
		response.headers.set(name, value);
	if (!response.headers.has('X-Frame-Options')) response.headers.set('X-Frame-Options', 'DENY');
	return response;
};

/** The request's later queries go ahead of other requests' first ones (`$lib/server/db/turns`). */
const handleTurns: Handle = ({ event, resolve }) =>
	event.isSubRequest ? resolve(event) : asRequest(() => resolve(event));

const handleAuth: Handle = async ({ event, resolve }) => {
	event.locals.user = null;
	event.locals.sessionId = null;
	event.locals.accountLanguage = null;
	event.locals.apiKeyId = null;
	const secure = event.url.protocol === 'https:';
	const token = event.cookies.get(sessionCookieName(secure));
	if (token) {
		const session = await validateSessionToken(db, token).catch((e) => sessionUnchecked(event, e));
		if (session === null) {
			deleteSessionCookie(event.cookies, secure);
		} else if (session) {
			if (session.renewed) setSessionCookie(event.cookies, token, session.expiresAt, secure);
			event.locals.sessionId = session.sessionId;
			event.locals.accountLanguage = session.language;
			event.locals.user = {
				id: session.userId,
				email: session.email,
				displayName: session.displayName,
				kind: session.kind,
				applicantId: session.applicantId,
				roles: session.roles
			};
		}
	}
	return resolve(event);
};

/**
 * Access by the route the router matched, never by the URL string: `/st%61ff/admin` is routed as
 * `/staff/admin`, and so it is guarded. Deny by default: a route without a rule in $lib/access is refused.
 */
const handleGuards: Handle = async ({ event, resolve }) => {
	const verdict = verdictFor(event.route.id, event.locals.user);
	if (verdict.kind === 'not-routed') return resolve(event);
	if (verdict.kind === 'no-rule') {
		console.error(
			`access: route ${event.route.id} has no rule in src/lib/access.ts; refused ${event.request.method} ${event.url.pathname}`
		);
		if (isApi(event)) return problemResponse(noEndpoint(event));
		error(404, translator(event.locals.lang)('errors.not_found'));
	}
	if (verdict.kind === 'api-key') {
		try {
			event.locals.apiKeyId = await authenticateApiKey(
				db,
				event.request.headers.get('authorization'),
				verdict.scope
			);
		} catch (e) {
			if (e instanceof DomainError) return problemResponse(e);
			throw e;
		}
		return resolve(event);
	}
	if (verdict.kind === 'sign-in')
		redirect(303, `/auth/login?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
	if (verdict.kind === 'forbidden') error(403, translator(event.locals.lang)('errors.forbidden'));
	const response = await resolve(event);
	// Personal and staff pages must never be stored by a browser or a shared cache.
	if (verdict.personal && !response.headers.has('Cache-Control'))
		response.headers.set('Cache-Control', 'private, no-store');
	return response;
};

export const handle = sequence(
	handleLocale,
	handleHeaders,
	handleDatabaseOutage,
	handleApiProblems,
	handleTurns,
	handleAuth,
	handleLanguagePreference,
	handleGuards,
	handleBodyLimit
);

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	// A page that failed after its load said it would not hydrate becomes an error page that does.
	resumePageTexts();
	if (status === 404)
		return { message: translator(event.locals.lang ?? defaultLanguage)('errors.not_found') };
	// handleDatabaseOutage answers these with 503 and Retry-After.
	if (noteDatabaseFailure(event, error))
		return {
			message: translator(event.locals.lang ?? defaultLanguage)('errors.database_unavailable'),
			code: 'database_unavailable'
		};
	const errorId = randomUUID().slice(0, 8);
	console.error(`[${errorId}] ${event.request.method} ${event.url.pathname}`, error);
	return {
		message:
			translator(event.locals.lang ?? defaultLanguage)('errors.unexpected', { errorId }) || message,
		errorId
	};
};
