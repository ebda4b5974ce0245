import { describe, expect, it } from 'vitest';
import {
	DEFAULT_OFFLINE_DAYS,
	endsPersonalCopies,
	isKeepable,
	offlineDays,
	personalPageKey
} from '$lib/offline';
import { languages } from '$lib/i18n';
import { GET } from '../../src/routes/offline/+server';

const origin = 'https://portal.test';
const key = (path: string) => personalPageKey(new URL(path, origin), origin);

describe('which pages the service worker keeps for the applicant', () => {
	it('keeps the list of cases and each case, one copy whatever the query', () => {
		expect(key('/cases')).toBe(`${origin}/cases`);
		expect(key('/cases?lang=ar')).toBe(`${origin}/cases`);
		expect(key('/cases/IND-2026-90000001')).toBe(`${origin}/cases/IND-2026-90000001`);
		expect(key('/cases/IND-2026-90000001?lang=fa#now')).toBe(`${origin}/cases/IND-2026-90000001`);
		// Spelled as the router decodes it: the same page, the same copy.
		expect(key('/c%61ses/IND-2026-90000001')).toBe(`${origin}/cases/IND-2026-90000001`);
	});

	it('keeps nothing else: forms, documents, staff, counter, referent, API, sign-in', () => {
		for (const path of [
			'/',
			'/cases/',
			'/cases/not-a-reference',
			'/cases/IND-2026-90000001/appointment',
			'/cases/IND-2026-90000001/appointment/calendar.ics',
			'/cases/IND-2026-90000001/priority-request',
			'/cases/IND-2026-90000001/priority-request/receipt',
			'/cases/IND-2026-90000001/__data.json',
			'/referent/cases/IND-2026-90000001',
			'/counter',
			'/staff',
			'/staff/triage/1',
			'/api/health',
			'/api/v1/changes',
			'/auth/login',
			'/account/sessions',
			'/statistics',
			'/offline',
			'/cases/%E0%A4%A'
		])
			expect(key(path), path).toBeNull();
	});

	it('keeps nothing of another origin', () => {
		expect(personalPageKey(new URL('https://elsewhere.test/cases'), origin)).toBeNull();
	});
});

describe('which requests delete the kept pages', () => {
	it('every sign-in and sign-out page, however spelled', () => {
		for (const path of [
			'/auth/logout',
			'/auth/login',
			'/auth/login?next=%2Fcases',
			'/auth/login/verify',
			'/auth/activate',
			'/auth/reset/abc',
			'/%61uth/logout'
		])
			expect(endsPersonalCopies(new URL(path, origin), origin), path).toBe(true);
	});

	it('no other page', () => {
		for (const path of ['/cases', '/authority', '/account/sessions', '/statistics'])
			expect(endsPersonalCopies(new URL(path, origin), origin), path).toBe(false);
		expect(endsPersonalCopies(new URL('https://elsewhere.test/auth/logout'), origin)).toBe(false);
	});
});

describe('how long a kept page may be shown', () => {
	it('is 30 days unless a whole number of days from 1 to 365 is set', () => {
		expect(DEFAULT_OFFLINE_DAYS).toBe(30);
		expect(offlineDays(undefined)).toBe(30);
		expect(offlineDays(null)).toBe(30);
		expect(offlineDays('')).toBe(30);
		expect(offlineDays('7')).toBe(7);
		expect(offlineDays('365')).toBe(365);
		for (const bad of ['0', '-3', '1.5', 'thirty', '366', 'Infinity'])
			expect(offlineDays(bad), bad).toBe(30);
	});
});

describe('which answers may be kept', () => {
	const html = { 'Content-Type': 'text/html; charset=utf-8' };
	it('a full page the server gave with 200', () => {
		expect(isKeepable(new Response('<p>ok</p>', { status: 200, headers: html }))).toBe(true);
	});

	it('not an error, a refusal or another kind of answer', () => {
		expect(isKeepable(new Response('gone', { status: 404, headers: html }))).toBe(false);
		expect(isKeepable(new Response('down', { status: 503, headers: html }))).toBe(false);
		expect(
			isKeepable(new Response('{}', { headers: { 'Content-Type': 'application/json' } }))
		).toBe(false);
		expect(isKeepable(Response.error())).toBe(false);
	});
});

describe('the offline page', () => {
	it('says the same in every language, each marked with its language and direction', async () => {
		const response = await GET({} as Parameters<typeof GET>[0]);
		expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
		const body = await response.text();
		for (const { code, dir } of languages)
			expect(body, code).toContain(`<section lang="${code}" dir="${dir}">`);
		expect(body).toContain('<h2>Geen verbinding</h2>');
		expect(body).toContain('<h2>No connection</h2>');
		expect(body).not.toContain('offline.');
	});
});
