import { error, json, redirect, type Handle, type HandleServerError, type ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { randomUUID } from 'node:crypto';
import { defaultLanguage, languageOf, languagesFor, negotiate, translator } from '$lib/i18n';
import { startApp } from '$lib/server/app';
import { db } from '$lib/server/db';
import { deleteSessionCookie, sessionCookieName, setSessionCookie, validateSessionToken } from '$lib/server/auth/session';
import { decide, requirementFor } from '$lib/server/auth/guards';
import { bearerToken, verifyApiKey } from '$lib/server/api-keys/api-key.service';

export const init: ServerInit = async () => {
	await startApp();
};

const LANG_COOKIE = 'lang';

const handleLocale: Handle = async ({ event, resolve }) => {
	const asked = event.url.searchParams.get('lang');
	if (asked && languageOf(asked)) {
		event.cookies.set(LANG_COOKIE, asked, { path: '/', maxAge: 60 * 60 * 24 * 365, httpOnly: false, sameSite: 'lax' });
	}
	const preferred =
		languageOf(asked)?.code ??
		languageOf(event.cookies.get(LANG_COOKIE))?.code ??
		negotiate(event.request.headers.get('accept-language')) ??
		defaultLanguage;
	// A page not written in the preferred language is shown in Dutch, and says so in <html lang>.
	const lang = languagesFor(event.url.pathname).some((l) => l.code === preferred) ? preferred : defaultLanguage;
	event.locals.lang = lang;
	const dir = languageOf(lang)!.dir;
	return resolve(event, {
		transformPageChunk: ({ html }) => html.replace('%lang%', lang).replace('%dir%', dir)
	});
};

const handleHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
	response.headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
	if (!response.headers.has('X-Frame-Options')) response.headers.set('X-Frame-Options', 'DENY');
	if (process.env.NODE_ENV === 'production' && event.url.protocol === 'https:') {
		response.headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
	}
	return response;
};

const handleAuth: Handle = async ({ event, resolve }) => {
	event.locals.user = null;
	event.locals.sessionId = null;
	event.locals.apiKeyId = null;
	const secure = event.url.protocol === 'https:';
	const token = event.cookies.get(sessionCookieName(secure));
	if (token) {
		const session = await validateSessionToken(db, token);
		if (!session) {
			deleteSessionCookie(event.cookies, secure);
		} else {
			if (session.renewed) setSessionCookie(event.cookies, token, session.expiresAt, secure);
			event.locals.sessionId = session.sessionId;
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

const handleGuards: Handle = async ({ event, resolve }) => {
	const requirement = requirementFor(event.url.pathname);
	if (requirement.kind === 'api-key') {
		const key = bearerToken(event.request.headers.get('authorization'));
		event.locals.apiKeyId = key ? await verifyApiKey(db, key) : null;
		if (event.locals.apiKeyId === null) {
			return json(
				{ errors: [{ index: -1, field: '', message: 'send a valid, unrevoked API key as "Authorization: Bearer <key>"' }] },
				{ status: 401, headers: { 'WWW-Authenticate': 'Bearer', 'Cache-Control': 'no-store' } }
			);
		}
		return resolve(event);
	}
	const decision = decide(requirement, event.locals.user);
	if (decision === 'sign-in') {
		const next = event.url.pathname + event.url.search;
		redirect(303, `/auth/login?next=${encodeURIComponent(next)}`);
	}
	if (decision === 'forbidden') error(403, translator(event.locals.lang)('errors.forbidden'));
	const response = await resolve(event);
	// Personal and staff pages must never be stored by a browser or a shared cache.
	if (requirement.kind !== 'public' && !response.headers.has('Cache-Control')) response.headers.set('Cache-Control', 'private, no-store');
	return response;
};

export const handle = sequence(handleLocale, handleHeaders, handleAuth, handleGuards);

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (status === 404) return { message: translator(event.locals.lang ?? defaultLanguage)('errors.not_found') };
	const errorId = randomUUID().slice(0, 8);
	console.error(`[${errorId}] ${event.request.method} ${event.url.pathname}`, error);
	return { message: translator(event.locals.lang ?? defaultLanguage)('errors.unexpected', { errorId }) || message, errorId };
};
