/**
 * Who may use which route: every route of the app (read from src/routes, so a new route
 * without an entry here fails) × every kind of person, on GET and POST.
 */
import { expect, request as requestFactory, test, type APIRequestContext } from '@playwright/test';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { baseURL } from '../../../playwright.config';
import { signInRequest } from '../support/auth';

const personas = ['anonymous', 'applicantA', 'applicantB', 'referentX', 'referentY', 'counter', 'triage', 'planner', 'admin'] as const;
type Persona = (typeof personas)[number];

const emails: Record<Exclude<Persona, 'anonymous'>, string> = {
	applicantA: 'applicant@demo.test',
	applicantB: 'applicant2@demo.test',
	referentX: 'referent@demo.test',
	referentY: 'referent-y@demo.test',
	counter: 'counter@demo.test',
	triage: 'triage@demo.test',
	planner: 'planner@demo.test',
	admin: 'admin@demo.test'
};

/** Applicant A's asylum case, and applicant B's case sponsored by organisation X. */
const CASE_A = 'IND-2026-90000001';
const CASE_B = 'IND-2026-90000002';

type Expect = Record<Persona, number>;

function all(status: number): Expect {
	return Object.fromEntries(personas.map((p) => [p, status])) as Expect;
}

/** `allowed` get `ok`; others signed in get 403; anonymous is sent to sign in (303). */
function only(allowed: Persona[], ok: number, overrides: Partial<Expect> = {}): Expect {
	return { ...(Object.fromEntries(personas.map((p) => [p, p === 'anonymous' ? 303 : allowed.includes(p) ? ok : 403])) as Expect), ...overrides };
}

const signedIn = personas.filter((p) => p !== 'anonymous');
const staffOffice: Persona[] = ['triage', 'planner', 'admin'];
const referents: Persona[] = ['referentX', 'referentY'];
const applicants: Persona[] = ['applicantA', 'applicantB'];

interface Row {
	path: string | ((ids: Ids) => string);
	get: Expect;
	/** The form action to post to, e.g. `?/lookup`. */
	action?: string;
	/** Absent: POST is refused for everyone as the method is not allowed (405). */
	post?: Expect;
}

interface Ids {
	staffUserId: number;
}

const matrix: Record<string, Row> = {
	'/': { path: '/', get: all(307) },
	'/statistics': { path: '/statistics', get: all(200) },
	'/how-we-calculate': { path: '/how-we-calculate', get: all(200) },
	'/statistics.json': { path: '/statistics.json', get: all(200) },
	'/statistics.csv': { path: '/statistics.csv', get: all(200) },
	'/api/health': { path: '/api/health', get: all(200) },
	// No one holds an API key here: the case system's endpoints refuse every person.
	'/api/v1/events': { path: '/api/v1/events', get: all(401), post: all(401) },
	'/api/v1/cases/[reference=reference]/activation-letter': { path: `/api/v1/cases/${CASE_A}/activation-letter`, get: all(401), post: all(401) },
	// A signed-in person is sent on to their own area, also after a failed form.
	'/auth/login': { path: '/auth/login', get: { ...all(303), anonymous: 200 }, post: { ...all(303), anonymous: 400 } },
	'/auth/logout': { path: '/auth/logout', get: all(303), post: all(303) },
	'/auth/activate': { path: '/auth/activate', get: all(200), post: all(400) },
	'/auth/reset': { path: '/auth/reset', get: all(200), post: all(400) },
	'/auth/reset/[token]': { path: '/auth/reset/not-a-real-token', get: all(200), post: all(400) },
	// Its one action (?/endAll) would end the session the rest of this test needs; the default action does not exist.
	'/account/sessions': { path: '/account/sessions', get: only(signedIn, 200), post: only(signedIn, 404) },
	'/cases': { path: '/cases', get: only(applicants, 200), post: only(applicants, 405) },
	'/cases/[reference=reference]': { path: `/cases/${CASE_A}`, get: only(applicants, 200, { applicantB: 404 }), post: only(applicants, 405) },
	'/referent': { path: '/referent', get: only(referents, 200), post: only(referents, 405) },
	'/referent/cases/[reference=reference]': { path: `/referent/cases/${CASE_B}`, get: only(referents, 200, { referentY: 404 }), post: only(referents, 405) },
	'/counter': { path: '/counter', action: '?/lookup', get: only(['counter'], 200), post: only(['counter'], 400) },
	'/staff': { path: '/staff', action: '?/lookup', get: only(staffOffice, 200), post: only(staffOffice, 400) },
	'/staff/admin': { path: '/staff/admin', get: only(['admin'], 200), post: only(['admin'], 405) },
	'/staff/admin/api-keys': { path: '/staff/admin/api-keys', action: '?/revoke', get: only(['admin'], 200), post: only(['admin'], 400) },
	'/staff/admin/organisations': { path: '/staff/admin/organisations', get: only(['admin'], 200), post: only(['admin'], 405) },
	'/staff/admin/organisations/new': { path: '/staff/admin/organisations/new', action: '?/create', get: only(['admin'], 200), post: only(['admin'], 400) },
	'/staff/admin/outbox': { path: '/staff/admin/outbox', get: only(['admin'], 200), post: only(['admin'], 405) },
	'/staff/admin/users': { path: '/staff/admin/users', get: only(['admin'], 200), post: only(['admin'], 405) },
	'/staff/admin/users/[id]': { path: (ids) => `/staff/admin/users/${ids.staffUserId}`, action: '?/roles', get: only(['admin'], 200), post: only(['admin'], 303) },
	'/staff/admin/users/new': { path: '/staff/admin/users/new', action: '?/create', get: only(['admin'], 200), post: only(['admin'], 400) }
};

function routeIds(dir = 'src/routes'): string[] {
	const ids = new Set<string>();
	for (const name of readdirSync(dir)) {
		const full = join(dir, name);
		if (statSync(full).isDirectory()) routeIds(full).forEach((id) => ids.add(id));
		else if (['+page.svelte', '+page.server.ts', '+server.ts'].includes(name)) {
			const id = '/' + relative('src/routes', dir).split('/').filter((part) => part && !/^\(.*\)$/.test(part)).join('/');
			ids.add(id === '/' ? '/' : id.replace(/\/$/, ''));
		}
	}
	return [...ids].sort();
}

const contexts = new Map<Persona, APIRequestContext>();

test.beforeAll(async () => {
	for (const persona of personas) {
		const context = await requestFactory.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL, Accept: 'text/html' }, maxRedirects: 0 });
		if (persona !== 'anonymous') {
			const response = await signInRequest(context, emails[persona]);
			expect(response.status(), `sign in as ${persona}`).toBe(303);
		}
		contexts.set(persona, context);
	}
});

test.afterAll(async () => {
	for (const context of contexts.values()) await context.dispose();
});

test('every route of the app has a row in the access matrix', () => {
	expect(routeIds()).toEqual(Object.keys(matrix).sort());
});

test('each person gets exactly the expected status on every route, GET and POST', async () => {
	test.setTimeout(120_000);
	const admin = contexts.get('admin')!;
	const users = await (await admin.get('/staff/admin/users')).text();
	// A staff member of the end-to-end set-up whose roles this test may change.
	const row = users.split('<tr').find((r) => r.includes('spare-staff@demo.test')) ?? '';
	const staffUserId = Number(/\/staff\/admin\/users\/(\d+)/.exec(row)?.[1]);
	expect(staffUserId).toBeGreaterThan(0);

	const mismatches: string[] = [];
	for (const [id, row] of Object.entries(matrix)) {
		const path = typeof row.path === 'function' ? row.path({ staffUserId }) : row.path;
		for (const persona of personas) {
			const context = contexts.get(persona)!;
			const get = await context.get(path);
			if (get.status() !== row.get[persona]) mismatches.push(`GET ${id} as ${persona}: ${get.status()}, expected ${row.get[persona]}`);
			// Signing out would end the persona's session for the rest of the test.
			if (id === '/auth/logout' && persona !== 'anonymous') continue;
			const post = await context.post(path + (row.action ?? ''), { form: {} });
			const expected = row.post?.[persona] ?? 405;
			if (post.status() !== expected) mismatches.push(`POST ${id} as ${persona}: ${post.status()}, expected ${expected}`);
		}
	}
	expect(mismatches).toEqual([]);
});

test("an applicant never reads another's case, and a referent never reads another organisation's", async () => {
	const b = contexts.get('applicantB')!;
	const body = await (await b.get(`/cases/${CASE_A}`)).text();
	expect(body).not.toContain('Demo Applicant');
	const x = contexts.get('referentX')!;
	expect((await x.get(`/referent/cases/${CASE_A}`)).status()).toBe(404);
	const y = contexts.get('referentY')!;
	const list = await (await y.get('/referent?q=IND-2026-9000000')).text();
	expect(list).not.toContain(CASE_B);
});
