import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { randomUUID } from 'node:crypto';
import { defaultLanguage, languageOf, negotiate, translator } from '$lib/i18n';
import { startApp } from '$lib/server/app';

export const init: ServerInit = async () => {
	await startApp();
};

const LANG_COOKIE = 'lang';

const handleLocale: Handle = async ({ event, resolve }) => {
	const asked = event.url.searchParams.get('lang');
	if (asked && languageOf(asked)) {
		event.cookies.set(LANG_COOKIE, asked, { path: '/', maxAge: 60 * 60 * 24 * 365, httpOnly: false, sameSite: 'lax' });
	}
	const lang =
		languageOf(asked)?.code ??
		languageOf(event.cookies.get(LANG_COOKIE))?.code ??
		negotiate(event.request.headers.get('accept-language')) ??
		defaultLanguage;
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

export const handle = sequence(handleLocale, handleHeaders);

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (status === 404) return { message: translator(event.locals.lang ?? defaultLanguage)('errors.not_found') };
	const errorId = randomUUID().slice(0, 8);
	console.error(`[${errorId}] ${event.request.method} ${event.url.pathname}`, error);
	return { message: translator(event.locals.lang ?? defaultLanguage)('errors.unexpected', { errorId }) || message, errorId };
};
