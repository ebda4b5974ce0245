/**
 * Who may use which route: every route of the app (read from src/routes, so a new route
 * without an entry here fails) × every kind of person, on GET, HEAD and POST, and each of
 * those in every spelling of the path a client can send (see `spellings` below).
 */
import { expect, request as requestFactory, test, type APIRequestContext } from '@playwright/test';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { baseURL } from '../../../playwright.config';
import { signInRequest } from '../support/auth';

const personas = [
	'anonymous',
	'applicantA',
	'applicantB',
	'referentX',
	'referentY',
	'referentMember',
	'counter',
	'triage',
	'planner',
	'admin'
] as const;
type Persona = (typeof personas)[number];

const emails: Record<Exclude<Persona, 'anonymous'>, string> = {
	applicantA: 'applicant@demo.test',
	applicantB: 'applicant2@demo.test',
	referentX: 'referent@demo.test',
	referentY: 'referent-y@demo.test',
	/** A member (not an administrator) of X. */
	referentMember: 'referent-member@demo.test',
	counter: 'counter@demo.test',
	triage: 'triage@demo.test',
	planner: 'planner@demo.test',
	admin: 'admin@demo.test'
};

/** Applicant A's asylum case, and applicant B's case sponsored by organisation X. */
const CASE_A = 'IND-2026-90000001';
const CASE_B = 'IND-2026-90000002';
/** A document id no document has. */
const NO_DOCUMENT = '00000000-0000-4000-8000-000000000000';

type Expect = Record<Persona, number>;

function all(status: number): Expect {
	return Object.fromEntries(personas.map((p) => [p, status])) as Expect;
}

/** `allowed` get `ok`; others signed in get 403; anonymous is sent to sign in (303). */
function only(allowed: Persona[], ok: number, overrides: Partial<Expect> = {}): Expect {
	return {
		...(Object.fromEntries(
			personas.map((p) => [p, p === 'anonymous' ? 303 : allowed.includes(p) ? ok : 403])
		) as Expect),
		...overrides
	};
}

const signedIn = personas.filter((p) => p !== 'anonymous');
const staffOffice: Persona[] = ['triage', 'planner', 'admin'];
const referents: Persona[] = ['referentX', 'referentY', 'referentMember'];
/** The administrators of X and of Y. */
const referentAdmins: Persona[] = ['referentX', 'referentY'];
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
	/** A hearing location the planner made for this test. */
	locationId: number;
	/** The member of organisation X, whom X's administrator manages. */
	referentMemberId: number;
}

const matrix: Record<string, Row> = {
	'/': { path: '/', get: all(307) },
	'/statistics': { path: '/statistics', get: all(200) },
	'/how-we-calculate': { path: '/how-we-calculate', get: all(200) },
	'/offline': { path: '/offline', get: all(200) },
	'/statistics.json': { path: '/statistics.json', get: all(200) },
	'/statistics.csv': { path: '/statistics.csv', get: all(200) },
	'/api/health': { path: '/api/health', get: all(200) },
	// No one holds an API key here: the case system's endpoints refuse every person.
	'/api/v1/events': { path: '/api/v1/events', get: all(401), post: all(401) },
	'/api/v1/changes': { path: '/api/v1/changes', get: all(401), post: all(401) },
	'/api/v1/cases/[reference=reference]/activation-letter': {
		path: `/api/v1/cases/${CASE_A}/activation-letter`,
		get: all(401),
		post: all(401)
	},
	// A signed-in person is sent on to their own area, also after a failed form.
	'/auth/login': {
		path: '/auth/login',
		get: { ...all(303), anonymous: 200 },
		post: { ...all(303), anonymous: 400 }
	},
	'/auth/logout': { path: '/auth/logout', get: all(303), post: all(303) },
	'/auth/activate': { path: '/auth/activate', get: all(200), post: all(400) },
	'/auth/reset': { path: '/auth/reset', get: all(200), post: all(400) },
	'/auth/reset/[token]': { path: '/auth/reset/not-a-real-token', get: all(200), post: all(400) },
	// A colleague's invitation: no such link, so the page says so and an empty form is refused.
	'/auth/invitation/[token]': {
		path: '/auth/invitation/not-a-real-token',
		get: all(200),
		post: all(400)
	},
	// The second step after the password: without a pending sign-in there is nothing to confirm.
	// A refused form renders the page again, whose load sends anyone without a pending sign-in back to sign in.
	'/auth/login/verify': { path: '/auth/login/verify', get: all(303), post: all(303) },
	// Signed in, the page only shows the recovery codes of its own answer.
	'/auth/login/enrol': {
		path: '/auth/login/enrol',
		get: { ...all(200), anonymous: 303 },
		post: { ...all(400), anonymous: 303 }
	},
	// Its one action (?/endAll) would end the session the rest of this test needs; the default action does not exist.
	'/account/sessions': {
		path: '/account/sessions',
		get: only(signedIn, 200),
		post: only(signedIn, 404)
	},
	// ?/start only shows a new secret to set up; nothing is stored until a code confirms it.
	'/account/security': {
		path: '/account/security',
		action: '?/start',
		get: only(signedIn, 200),
		post: only(signedIn, 200)
	},
	// Web push is for applicants only. An empty removal names no device: refused (400), nothing removed.
	'/account/notifications': {
		path: '/account/notifications',
		action: '?/unsubscribe',
		get: only(applicants, 200),
		post: only(applicants, 400)
	},
	'/cases': { path: '/cases', get: only(applicants, 200), post: only(applicants, 405) },
	'/cases/[reference=reference]': {
		path: `/cases/${CASE_A}`,
		get: only(applicants, 200, { applicantB: 404 }),
		post: only(applicants, 405)
	},
	// An empty confirm form is refused (400) once the case is known to be one's own; B's is 404 first.
	'/cases/[reference=reference]/appointment': {
		path: `/cases/${CASE_A}/appointment`,
		action: '?/book',
		get: only(applicants, 200, { applicantB: 404 }),
		post: only(applicants, 400, { applicantB: 404 })
	},
	// No appointment is booked while the matrix runs: A finds no calendar file either (404).
	'/cases/[reference=reference]/appointment/calendar.ics': {
		path: `/cases/${CASE_A}/appointment/calendar.ics`,
		get: only(applicants, 404),
		post: only(applicants, 405)
	},
	// No offer has this id: for A, as for B, it does not exist.
	'/cases/[reference=reference]/appointment/offer/[offer]': {
		path: `/cases/${CASE_A}/appointment/offer/999999`,
		action: '?/accept',
		get: only(applicants, 404),
		post: only(applicants, 404)
	},
	// A request for faster handling. A has none open, so withdrawing or sending finds nothing (409)
	// and changes nothing; B's answer for A's case is 404 first.
	'/cases/[reference=reference]/priority-request': {
		path: `/cases/${CASE_A}/priority-request`,
		action: '?/withdraw',
		get: only(applicants, 200, { applicantB: 404 }),
		post: only(applicants, 409, { applicantB: 404 })
	},
	// Without a draft there is nothing to check or send: A is sent back to the request page, also
	// after the refused send, whose page loads again.
	'/cases/[reference=reference]/priority-request/check': {
		path: `/cases/${CASE_A}/priority-request/check`,
		action: '?/send',
		get: only(applicants, 303, { applicantB: 404 }),
		post: only(applicants, 303, { applicantB: 404 })
	},
	'/cases/[reference=reference]/priority-request/receipt': {
		path: `/cases/${CASE_A}/priority-request/receipt`,
		get: only(applicants, 303, { applicantB: 404 }),
		post: only(applicants, 405)
	},
	// No document has this id: for A, as for B, it does not exist.
	'/cases/[reference=reference]/priority-request/documents/[document]': {
		path: `/cases/${CASE_A}/priority-request/documents/${NO_DOCUMENT}`,
		get: only(applicants, 404),
		post: only(applicants, 405)
	},
	'/referent': { path: '/referent', get: only(referents, 200), post: only(referents, 405) },
	'/referent/export.csv': {
		path: '/referent/export.csv',
		get: only(referents, 200),
		post: only(referents, 405)
	},
	// The member's own digest: an empty form turns it off, for their organisation only.
	'/referent/digest': {
		path: '/referent/digest',
		get: only(referents, 200),
		post: only(referents, 303)
	},
	'/referent/cases/[reference=reference]': {
		path: `/referent/cases/${CASE_B}`,
		get: only(referents, 200, { referentY: 404 }),
		post: only(referents, 405)
	},
	// Colleagues: administrators only. An empty withdrawal names no invitation (400), nothing changes.
	'/referent/members': {
		path: '/referent/members',
		action: '?/revoke',
		get: only(referentAdmins, 200),
		post: only(referentAdmins, 400)
	},
	// X's member: Y's administrator finds no such colleague. An empty role form is refused (400).
	'/referent/members/[id]': {
		path: (ids) => `/referent/members/${ids.referentMemberId}`,
		action: '?/role',
		get: only(referentAdmins, 200, { referentY: 404 }),
		post: only(referentAdmins, 400, { referentY: 404 })
	},
	'/counter': {
		path: '/counter',
		action: '?/lookup',
		get: only(['counter'], 200),
		post: only(['counter'], 400)
	},
	'/staff': {
		path: '/staff',
		action: '?/lookup',
		get: only(staffOffice, 200),
		post: only(staffOffice, 400)
	},
	// Triage officers only: not the other back-office roles, and no applicant sees another's request.
	'/staff/triage': {
		path: '/staff/triage',
		get: only(['triage'], 200),
		post: only(['triage'], 405)
	},
	// No request has this id: nothing to read or confirm.
	'/staff/triage/[id]': {
		path: '/staff/triage/999999',
		action: '?/confirm',
		get: only(['triage'], 404),
		post: only(['triage'], 404)
	},
	'/staff/triage/[id]/documents/[document]': {
		path: `/staff/triage/999999/documents/${NO_DOCUMENT}`,
		get: only(['triage'], 404),
		post: only(['triage'], 405)
	},
	'/staff/planning': {
		path: '/staff/planning',
		get: only(['planner'], 200),
		post: only(['planner'], 405)
	},
	'/staff/planning/locations/new': {
		path: '/staff/planning/locations/new',
		action: '?/create',
		get: only(['planner'], 200),
		post: only(['planner'], 400)
	},
	// Empty forms: refused with the form's errors, and nothing changes.
	'/staff/planning/locations/[id]': {
		path: (ids) => `/staff/planning/locations/${ids.locationId}`,
		action: '?/template',
		get: only(['planner'], 200),
		post: only(['planner'], 400)
	},
	'/staff/planning/locations/[id]/days/[day]': {
		path: (ids) => `/staff/planning/locations/${ids.locationId}/days/2026-12-07`,
		action: '?/closeDay',
		get: only(['planner'], 200),
		post: only(['planner'], 400)
	},
	'/staff/admin': { path: '/staff/admin', get: only(['admin'], 200), post: only(['admin'], 405) },
	'/staff/admin/api-keys': {
		path: '/staff/admin/api-keys',
		action: '?/revoke',
		get: only(['admin'], 200),
		post: only(['admin'], 400)
	},
	// An empty form names no organisation: refused (400), nothing changes.
	'/staff/admin/organisations': {
		path: '/staff/admin/organisations',
		action: '?/recognition',
		get: only(['admin'], 200),
		post: only(['admin'], 400)
	},
	'/staff/admin/organisations/new': {
		path: '/staff/admin/organisations/new',
		action: '?/create',
		get: only(['admin'], 200),
		post: only(['admin'], 400)
	},
	'/staff/admin/outbox': {
		path: '/staff/admin/outbox',
		get: only(['admin'], 200),
		post: only(['admin'], 405)
	},
	'/staff/admin/users': {
		path: '/staff/admin/users',
		get: only(['admin'], 200),
		post: only(['admin'], 405)
	},
	'/staff/admin/users/[id]': {
		path: (ids) => `/staff/admin/users/${ids.staffUserId}`,
		action: '?/roles',
		get: only(['admin'], 200),
		post: only(['admin'], 303)
	},
	// An empty form edits no version the page showed: refused as out of date (409), nothing published.
	'/staff/admin/triage-conditions': {
		path: '/staff/admin/triage-conditions',
		action: '?/publish',
		get: only(['admin'], 200),
		post: only(['admin'], 409)
	},
	'/staff/admin/users/new': {
		path: '/staff/admin/users/new',
		action: '?/create',
		get: only(['admin'], 200),
		post: only(['admin'], 400)
	}
};

/** The route ids SvelteKit gives `event.route.id`: the directory under src/routes, groups included. */
function routeIds(dir = 'src/routes'): string[] {
	const ids = new Set<string>();
	for (const name of readdirSync(dir)) {
		const full = join(dir, name);
		if (statSync(full).isDirectory()) routeIds(full).forEach((id) => ids.add(id));
		else if (['+page.svelte', '+page.ts', '+page.server.ts', '+server.ts'].includes(name))
			ids.add('/' + relative('src/routes', dir).split(/[\\/]/).filter(Boolean).join('/'));
	}
	return [...ids].sort();
}

/**
 * How a persona signs in for this test. Kept in one function: a second sign-in step (TOTP for
 * staff) changes only this.
 */
async function signInPersona(
	context: APIRequestContext,
	persona: Exclude<Persona, 'anonymous'>
): Promise<void> {
	const response = await signInRequest(context, emails[persona]);
	expect(response.status(), `sign in as ${persona}`).toBe(303);
}

const contexts = new Map<Persona, APIRequestContext>();

test.beforeAll(async () => {
	for (const persona of personas) {
		const context = await requestFactory.newContext({
			baseURL,
			extraHTTPHeaders: { Origin: baseURL, Accept: 'text/html' },
			maxRedirects: 0
		});
		if (persona !== 'anonymous') await signInPersona(context, persona);
		contexts.set(persona, context);
	}
});

test.afterAll(async () => {
	for (const context of contexts.values()) await context.dispose();
});

test('every route of the app has a row in the access matrix', () => {
	expect(routeIds()).toEqual(Object.keys(matrix).sort());
});

// ---- Spellings -------------------------------------------------------------------------------

/**
 * What a spelling must answer:
 * - `same`: exactly what the canonical path answers (status, redirect target, and for a refusal
 *   the same body, so no data).
 * - `not-found`: SvelteKit's router cannot match it by design, so it answers the 404 page of a
 *   path that does not exist, with no data: the router decodes a path with `decodeURI`, which
 *   keeps `%2F` encoded, so `/staff%2Fadmin` is one segment no route has; and an empty segment
 *   (`//`) matches no route either. No load or action of ours runs (`event.route.id` is null).
 * - `normalized`: SvelteKit redirects a trailing slash (308) to the path without it, before any
 *   hook runs; we follow that one hop and expect the canonical answer there.
 */
type Outcome = 'same' | 'not-found' | 'normalized';

interface Spelling {
	name: string;
	outcome: Outcome;
	/** The path spelled so; null when it does not apply to this path (e.g. the root). */
	spell(path: string): string | null;
}

const segmentsOf = (path: string) => path.split('/').slice(1);

/** Encodes one character of a segment: a letter whose hex code has a letter (j–o, z), so case matters. */
function encodeOne(segment: string, upper: boolean): string {
	let i = segment.search(/[j-oz]/i);
	if (i < 0) i = segment.search(/[a-z0-9]/i);
	if (i < 0) return segment;
	const hex = segment.charCodeAt(i).toString(16);
	return `${segment.slice(0, i)}%${upper ? hex.toUpperCase() : hex.toLowerCase()}${segment.slice(i + 1)}`;
}

function encodeLetters(path: string, upper: boolean): string | null {
	return path === '/'
		? null
		: '/' +
				segmentsOf(path)
					.map((s) => encodeOne(s, upper))
					.join('/');
}

const spellings: Spelling[] = [
	{ name: 'canonical', outcome: 'same', spell: (p) => p },
	{
		name: 'a letter of each segment percent-encoded, lower-case hex',
		outcome: 'same',
		spell: (p) => encodeLetters(p, false)
	},
	{
		name: 'a letter of each segment percent-encoded, upper-case hex',
		outcome: 'same',
		spell: (p) => encodeLetters(p, true)
	},
	{
		name: 'slashes percent-encoded',
		outcome: 'not-found',
		spell: (p) =>
			p === '/'
				? null
				: segmentsOf(p).length === 1
					? `/%2F${segmentsOf(p)[0]}`
					: '/' + segmentsOf(p).join('%2F')
	},
	{
		name: 'a double slash in front',
		outcome: 'not-found',
		spell: (p) => (p === '/' ? null : `/${p}`)
	},
	{
		name: 'a double slash inside',
		outcome: 'not-found',
		spell: (p) => (segmentsOf(p).length < 2 ? null : p.replace(/^(\/[^/]+)\//, '$1//'))
	},
	{ name: 'a trailing slash', outcome: 'normalized', spell: (p) => (p === '/' ? null : `${p}/`) },
	{
		name: 'percent-encoded and a trailing slash',
		outcome: 'normalized',
		spell: (p) => (p === '/' ? null : `${encodeLetters(p, true)}/`)
	}
];

/** Spellings also tried for POST (with the form action) and HEAD. */
const postSpellings = spellings.filter(
	(s) =>
		![
			'a double slash in front',
			'a double slash inside',
			'percent-encoded and a trailing slash'
		].includes(s.name)
);
const headSpellings = spellings.filter(
	(s) => s.outcome === 'same' && !s.name.includes('lower-case')
);
/** `path/__data.json`: what a client-side navigation fetches. */
const dataSpellings = spellings.filter((s) => s.outcome === 'same').slice(0, 2);

interface Answer {
	status: number;
	location: string;
	body: string;
}

async function ask(
	context: APIRequestContext,
	method: 'GET' | 'HEAD' | 'POST',
	path: string
): Promise<Answer> {
	// An absolute URL, so that `//…` is not read as another host and nothing is normalised.
	const response = await context.fetch(baseURL + path, {
		method,
		...(method === 'POST' ? { form: {} } : {})
	});
	const answer = {
		status: response.status(),
		location: response.headers()['location'] ?? '',
		body: method === 'HEAD' ? '' : await response.text()
	};
	await response.dispose();
	return answer;
}

/** A sign-in redirect carries the spelled path in `next`; the rest must be the same. */
const comparableLocation = (location: string) =>
	location.replace(/^(\/auth\/login\?next=).*$/, '$1…');

/** Refusals and redirects are fixed texts, so their bodies must be identical: no data slips in. */
const fixedBody = (status: number) =>
	(status >= 300 && status < 400) || status === 401 || status === 403;

/** The page's own content: a 404 page's header and asset links follow the path asked for. */
const mainOf = (html: string) => /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html;

/** What a `__data.json` answer holds: its status, its kind, and whether the page's own node has data. */
function dataVerdict(answer: Answer): string {
	let kind = 'none';
	let leaf = 'none';
	try {
		const first = JSON.parse(answer.body.split('\n')[0]);
		kind = first.type ?? (first.message ? 'error' : 'other');
		if (first.type === 'data') leaf = first.nodes.at(-1)?.type ?? 'null';
		if (first.type === 'redirect')
			leaf = first.location.startsWith('/auth/login?') ? 'sign-in' : 'elsewhere';
	} catch {
		/* not JSON: an empty 404 or an HTML page */
	}
	return `${answer.status} ${kind} ${leaf}`;
}

test('each person gets the same answer for every spelling of every route, on GET, HEAD, POST and __data.json', async () => {
	test.setTimeout(180_000);
	const began = Date.now();
	const admin = contexts.get('admin')!;
	const users = await (await admin.get('/staff/admin/users')).text();
	// A staff member of the end-to-end set-up whose roles this test may change.
	const userRow = users.split('<tr').find((r) => r.includes('spare-staff@demo.test')) ?? '';
	const staffUserId = Number(/\/staff\/admin\/users\/(\d+)/.exec(userRow)?.[1]);
	expect(staffUserId).toBeGreaterThan(0);
	// A hearing location, made by the planner through the page, for the location's routes.
	const made = await contexts.get('planner')!.post('/staff/planning/locations/new?/create', {
		form: {
			code: `M${String(Date.now()).slice(-6)}`,
			name: 'Matrix location',
			address: 'Rijnstraat 8, Den Haag'
		}
	});
	const locationId = Number(
		/\/staff\/planning\/locations\/(\d+)/.exec(made.headers()['location'] ?? '')?.[1]
	);
	expect(locationId, 'the planner made a location').toBeGreaterThan(0);
	const colleagues = await (await contexts.get('referentX')!.get('/referent/members')).text();
	const memberRow =
		colleagues.split('<tr').find((r) => r.includes('referent-member@demo.test')) ?? '';
	const referentMemberId = Number(/\/referent\/members\/(\d+)/.exec(memberRow)?.[1]);
	expect(referentMemberId, "X's member is on X's list").toBeGreaterThan(0);

	const mismatches: string[] = [];
	let requests = 0;

	async function check(persona: Persona, id: string, row: Row) {
		const context = contexts.get(persona)!;
		const path =
			typeof row.path === 'function'
				? row.path({ staffUserId, locationId, referentMemberId })
				: row.path;
		const fail = (what: string, got: unknown, expected: unknown) =>
			mismatches.push(
				`${what} of ${id} as ${persona}: ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`
			);
		const send = async (method: 'GET' | 'HEAD' | 'POST', spelled: string) => {
			requests += 1;
			return ask(context, method, spelled);
		};
		const notFound = notFoundOf.get(persona)!;

		const methods: ['GET' | 'POST', Spelling[], number, string][] = [
			['GET', spellings, row.get[persona], '']
		];
		// Signing out would end the persona's session for the rest of the test.
		if (!(id === '/auth/logout' && persona !== 'anonymous'))
			methods.push(['POST', postSpellings, row.post?.[persona] ?? 405, row.action ?? '']);

		for (const [method, tried, expected, action] of methods) {
			const canonical = await send(method, path + action);
			if (canonical.status !== expected)
				fail(`${method} ${path}${action}`, canonical.status, expected);
			const compare = (what: string, answer: Answer) => {
				if (answer.status !== canonical.status) fail(what, answer.status, canonical.status);
				else if (comparableLocation(answer.location) !== comparableLocation(canonical.location))
					fail(`${what} location`, answer.location, canonical.location);
				else if (fixedBody(canonical.status) && answer.body !== canonical.body)
					fail(`${what} body`, answer.body.slice(0, 120), canonical.body.slice(0, 120));
			};
			for (const spelling of tried.slice(1)) {
				const spelled = spelling.spell(path);
				if (spelled === null) continue;
				const what = `${method} ${spelled}${action} (${spelling.name})`;
				const answer = await send(method, spelled + action);
				if (spelling.outcome === 'same') compare(what, answer);
				else if (spelling.outcome === 'not-found') {
					if (answer.status !== 404 || mainOf(answer.body) !== mainOf(notFound[method].body))
						fail(
							what,
							`${answer.status} ${mainOf(answer.body).slice(0, 120)}`,
							`404, as ${method} /no-such-page-anywhere`
						);
				} else {
					const target = spelled.slice(0, -1) + action;
					if (answer.status !== 308 || answer.location !== target)
						fail(what, `${answer.status} → ${answer.location}`, `308 → ${target}`);
					else compare(`${what}, after the redirect`, await send(method, answer.location));
				}
			}
			if (method !== 'GET') continue;

			for (const spelling of headSpellings) {
				const spelled = spelling.spell(path);
				if (spelled === null) continue;
				const answer = await send('HEAD', spelled);
				if (
					answer.status !== canonical.status ||
					comparableLocation(answer.location) !== comparableLocation(canonical.location)
				) {
					fail(
						`HEAD ${spelled} (${spelling.name})`,
						`${answer.status} ${answer.location}`,
						`${canonical.status} ${canonical.location}`
					);
				}
			}

			// A page's data, as client-side navigation fetches it: never more than the page itself gives.
			let canonicalData = '';
			for (const spelling of dataSpellings) {
				const spelled = spelling.spell(path);
				if (spelled === null) continue;
				const answer = await send('GET', (spelled === '/' ? '' : spelled) + '/__data.json');
				const verdict = dataVerdict(answer);
				if (spelling.name === 'canonical') {
					canonicalData = verdict;
					if (verdict.endsWith(' data') && canonical.status !== 200)
						fail(
							`GET ${spelled}/__data.json`,
							verdict,
							`no page data, as the page answers ${canonical.status}`
						);
					if (canonical.location.startsWith('/auth/login?') && !verdict.endsWith('sign-in'))
						fail(`GET ${spelled}/__data.json`, verdict, 'a redirect to sign in');
				} else if (verdict !== canonicalData)
					fail(`GET ${spelled}/__data.json (${spelling.name})`, verdict, canonicalData);
			}
		}
	}

	/** What each persona gets for a path no route has. */
	const notFoundOf = new Map<Persona, Record<'GET' | 'POST', Answer>>();
	for (const persona of personas) {
		const context = contexts.get(persona)!;
		notFoundOf.set(persona, {
			GET: await ask(context, 'GET', '/no-such-page-anywhere'),
			POST: await ask(context, 'POST', '/no-such-page-anywhere')
		});
	}

	// Nine personas at a time, each asking its own questions in order.
	for (const [id, row] of Object.entries(matrix))
		await Promise.all(personas.map((persona) => check(persona, id, row)));

	console.log(
		`access matrix: ${requests} requests for ${Object.keys(matrix).length} routes × ${personas.length} personas in ${((Date.now() - began) / 1000).toFixed(1)} s`
	);
	expect(mismatches).toEqual([]);
});

// ---- The attack of the issue, spelled out ------------------------------------------------------

test('the encoded-path attack and its __data.json twin answer as /staff/admin/outbox does without a session: sign in, no data', async () => {
	const anonymous = contexts.get('anonymous')!;
	for (const path of [
		'/staff/admin/outbox',
		'/st%61ff/admin/outbox',
		'/st%61ff/%61dmin/%6Futbox',
		'/staff/admin/outbo%78'
	]) {
		const page = await anonymous.get(baseURL + path);
		expect(page.status(), path).toBe(303);
		expect(page.headers()['location'], path).toBe(`/auth/login?next=${encodeURIComponent(path)}`);
		expect(await page.text(), path).toBe('');

		const data = await anonymous.get(`${baseURL}${path}/__data.json`);
		expect(data.status(), `${path}/__data.json`).toBe(200);
		const body = await data.json();
		expect(body, `${path}/__data.json`).toEqual({
			type: 'redirect',
			location: `/auth/login?next=${encodeURIComponent(path)}`
		});
	}
	// The outbox's own words never reach an anonymous client, in any spelling.
	const admin = contexts.get('admin')!;
	const realOutbox = await (await admin.get('/staff/admin/outbox')).text();
	expect(realOutbox).toContain('<h1>');
	for (const path of [
		'/st%61ff/admin/outbox',
		'/st%61ff/admin/outbox/__data.json',
		'/st%61ff/admin/outbox/'
	]) {
		const text = await (await anonymous.get(baseURL + path)).text();
		expect(text).not.toContain('messages');
		expect(text).not.toContain('smtp');
	}
});

test('POST /st%61ff/admin/users/new?/create creates nothing without an administrator', async () => {
	const email = `intruder-${Date.now()}@evil.example`;
	const form = {
		email,
		displayName: 'Intruder',
		password: 'a long enough password',
		role_admin: 'on'
	};
	const anonymous = contexts.get('anonymous')!;
	const triage = contexts.get('triage')!;

	const asAnonymous = await anonymous.post(`${baseURL}/st%61ff/admin/users/new?/create`, { form });
	expect(asAnonymous.status()).toBe(303);
	expect(asAnonymous.headers()['location']).toMatch(/^\/auth\/login\?next=/);
	// The same post as `use:enhance` sends it, asking for JSON.
	const enhanced = await anonymous.post(`${baseURL}/st%61ff/%61dmin/users/new?/create`, {
		form,
		headers: { Accept: 'application/json', 'x-sveltekit-action': 'true' }
	});
	expect(await enhanced.json()).toMatchObject({
		type: 'redirect',
		location: expect.stringMatching(/^\/auth\/login\?next=/)
	});

	const asTriage = await triage.post(`${baseURL}/st%61ff/admin/users/new?/create`, { form });
	expect(asTriage.status()).toBe(403);

	const users = await (await contexts.get('admin')!.get('/staff/admin/users')).text();
	expect(users).not.toContain(email);
	const context = await requestFactory.newContext({
		baseURL,
		extraHTTPHeaders: { Origin: baseURL, Accept: 'text/html' },
		maxRedirects: 0
	});
	const signIn = await context.post('/auth/login', { form: { email, password: form.password } });
	expect(signIn.status()).toBe(400);
	await context.dispose();
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
	// Nor in an export, which X's does hold.
	expect(await (await y.get('/referent/export.csv?q=IND-2026-9000000')).text()).not.toContain(
		CASE_B
	);
	expect(await (await x.get('/referent/export.csv?q=IND-2026-9000000')).text()).toContain(CASE_B);
	// Nor another organisation's colleagues.
	expect(await (await y.get('/referent/members')).text()).not.toContain(
		'referent-member@demo.test'
	);
	expect(await (await x.get('/referent/members')).text()).toContain('referent-member@demo.test');
	// X's member sees the same list as X's administrator.
	const member = contexts.get('referentMember')!;
	expect(await (await member.get('/referent/export.csv?q=IND-2026-9000000')).text()).toContain(
		CASE_B
	);
});
