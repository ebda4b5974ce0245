/**
 * Who may use which route, where each person lands, what the menu shows and which languages
 * each page is written in: the one table. It is read by the server's guard (hooks.server.ts),
 * the sign-in redirect, the root layout's menu and the language switch, so it imports no server
 * code and may be bundled for the browser (it holds no secret: only route ids and role names).
 *
 * Rules are keyed by the route id SvelteKit matched (`event.route.id`), never by a URL prefix:
 * the router decodes `/st%61ff/…` to `/staff/…`, a string compare does not. A route missing
 * here is refused (tests/unit/auth/access.test.ts fails first).
 */
import type { StaffRole } from '$lib/server/db/schema';

export type ApiScope = 'events:write' | 'letters:issue' | 'changes:read';

export type Requirement =
	| { kind: 'public' }
	/** The case system, with an API key that holds the scope. */
	| { kind: 'api-key'; scope: ApiScope }
	| { kind: 'signed-in' }
	| { kind: 'applicant' }
	| { kind: 'roles'; roles: readonly StaffRole[] };

/** Language codes, or every language of the portal. The list itself lives in $lib/i18n. */
export type LanguageSet = 'all' | readonly string[];

export interface PageLanguages {
	/** The languages the page's own text is written in; the language switch offers these. */
	page: LanguageSet;
	/**
	 * A second language shown beside the first on the same page, e.g. the applicant's language
	 * on a counter screen turned to them, next to the staff member's. Absent on most pages.
	 */
	beside?: LanguageSet;
}

import {
	ADMIN_ROLES,
	COUNTER_ROLES,
	OFFICE_ROLES,
	PLANNER_ROLES,
	REFERENT_ROLES,
	TRIAGE_ROLES
} from '$lib/roles';
export { ADMIN_ROLES, COUNTER_ROLES, OFFICE_ROLES, PLANNER_ROLES, REFERENT_ROLES, TRIAGE_ROLES };

const ALL: PageLanguages = { page: 'all' };
/** Pages for staff and referents are in Dutch and English only. */
const STAFF: PageLanguages = { page: ['nl', 'en'] };

export type AreaName =
	| 'public'
	| 'statistics'
	| 'auth'
	| 'api'
	| 'account'
	| 'cases'
	| 'referent'
	| 'counter'
	| 'staff'
	| 'planning'
	| 'triage'
	| 'admin';

export interface Area {
	requirement: Requirement;
	languages: PageLanguages;
	/** The area's home page: where a person lands and where its menu item points. */
	home?: string;
	/** The menu item's i18n key (common namespace), for areas in the menu. */
	menu?: string;
}

/** An area: who may use it, its pages' languages, and for areas in the menu, home and menu item. */
function area(requirement: Requirement, languages: PageLanguages, home?: string, menu?: string) {
	return { requirement, languages, home, menu } satisfies Area;
}
const PUBLIC: Requirement = { kind: 'public' };
/** An area for staff or referents: one of their roles, pages in Dutch and English, in the menu. */
const staffArea = (roles: readonly StaffRole[], home: string, menu: string) =>
	area({ kind: 'roles', roles }, STAFF, home, menu);

export const areas: Record<AreaName, Area> = {
	public: area(PUBLIC, ALL),
	statistics: area(PUBLIC, ALL, '/statistics', 'nav.statistics'),
	auth: area(PUBLIC, ALL),
	// The API answers in JSON for machines; its requirement is set per route (the scope).
	api: area(PUBLIC, ALL),
	account: area({ kind: 'signed-in' }, ALL, '/account/sessions', 'nav.devices'),
	cases: area({ kind: 'applicant' }, ALL, '/cases', 'nav.my_cases'),
	referent: staffArea(REFERENT_ROLES, '/referent', 'nav.referent'),
	counter: staffArea(COUNTER_ROLES, '/counter', 'nav.counter'),
	staff: staffArea(OFFICE_ROLES, '/staff', 'nav.staff'),
	planning: staffArea(PLANNER_ROLES, '/staff/planning', 'nav.planning'),
	triage: staffArea(TRIAGE_ROLES, '/staff/triage', 'nav.triage'),
	admin: staffArea(ADMIN_ROLES, '/staff/admin', 'nav.admin')
};

/** Where a person lands after signing in: the home of the first area here that they reach. */
export const LANDING_ORDER: readonly AreaName[] = [
	'cases',
	'referent',
	'counter',
	'admin',
	'staff',
	'triage',
	'planning',
	'account'
];

/** The menu, in this order: each area the person reaches (statistics for everyone; account last). */
export const MENU_ORDER: readonly AreaName[] = [
	'statistics',
	'cases',
	'referent',
	'counter',
	'staff',
	'triage',
	'planning',
	'admin',
	'account'
];

const REFERENT_ADMIN: Requirement = { kind: 'roles', roles: ['referent_admin'] };

export interface RouteRule {
	area: AreaName;
	/** Overrides the area's requirement (the API's scopes). */
	requirement?: Requirement;
	/** Overrides the area's languages. */
	languages?: PageLanguages;
}

/** Every route of src/routes, by its route id. */
export const routes: Record<string, RouteRule> = {
	'/': { area: 'public' },
	'/how-we-calculate': { area: 'public' },
	// What the service worker shows offline for a page it did not keep; the same for everyone.
	'/offline': { area: 'public' },
	'/statistics': { area: 'statistics' },
	'/statistics.json': { area: 'statistics' },
	'/statistics.csv': { area: 'statistics' },
	'/api/health': { area: 'api' },
	'/api/v1/events': { area: 'api', requirement: { kind: 'api-key', scope: 'events:write' } },
	'/api/v1/changes': { area: 'api', requirement: { kind: 'api-key', scope: 'changes:read' } },
	'/api/v1/cases/[reference=reference]/activation-letter': {
		area: 'api',
		requirement: { kind: 'api-key', scope: 'letters:issue' }
	},
	'/auth/login': { area: 'auth' },
	// Signing out must work for anyone, also with an expired session: it only clears the cookie then.
	'/auth/logout': { area: 'auth' },
	'/auth/activate': { area: 'auth' },
	'/auth/reset': { area: 'auth' },
	'/auth/reset/[token]': { area: 'auth' },
	// The second step after the password: no session exists yet; the pages check the pending sign-in's cookie.
	'/auth/login/verify': { area: 'auth' },
	'/auth/login/enrol': { area: 'auth' },
	// A colleague's invitation from a sponsor's administrator: the link's token is the permission.
	'/auth/invitation/[token]': { area: 'auth', languages: STAFF },
	'/account/sessions': { area: 'account' },
	'/account/security': { area: 'account' },
	// Web push is for applicants: nothing is sent to staff or referents.
	'/account/notifications': { area: 'account', requirement: { kind: 'applicant' } },
	'/cases': { area: 'cases' },
	'/cases/[reference=reference]': { area: 'cases' },
	// The hearing planner for the applicant: invitations, slots, booking, the card and offers.
	'/cases/[reference=reference]/appointment': { area: 'cases' },
	'/cases/[reference=reference]/appointment/calendar.ics': { area: 'cases' },
	'/cases/[reference=reference]/appointment/offer/[offer]': { area: 'cases' },
	// A request for faster handling (schrijnend triage): the form, check your answers, the receipt, a document.
	'/cases/[reference=reference]/priority-request': { area: 'cases' },
	'/cases/[reference=reference]/priority-request/check': { area: 'cases' },
	'/cases/[reference=reference]/priority-request/receipt': { area: 'cases' },
	'/cases/[reference=reference]/priority-request/documents/[document]': { area: 'cases' },
	'/referent': { area: 'referent' },
	// The filtered list as CSV, every row; audited once with its filter.
	'/referent/export.csv': { area: 'referent' },
	'/referent/cases/[reference=reference]': { area: 'referent' },
	// The organisation's colleagues: only its administrators invite, change and remove them.
	'/referent/members': { area: 'referent', requirement: REFERENT_ADMIN },
	'/referent/members/[id]': { area: 'referent', requirement: REFERENT_ADMIN },
	// Each member's own daily e-mail digest of changes: on or off, and what the next one lists.
	'/referent/digest': { area: 'referent' },
	'/counter': { area: 'counter' },
	'/staff': { area: 'staff' },
	'/staff/planning': { area: 'planning' },
	'/staff/planning/locations/new': { area: 'planning' },
	'/staff/planning/locations/[id]': { area: 'planning' },
	'/staff/planning/locations/[id]/days/[day]': { area: 'planning' },
	'/staff/admin': { area: 'admin' },
	'/staff/admin/api-keys': { area: 'admin' },
	'/staff/admin/organisations': { area: 'admin' },
	'/staff/admin/organisations/new': { area: 'admin' },
	'/staff/admin/outbox': { area: 'admin' },
	'/staff/admin/users': { area: 'admin' },
	'/staff/admin/users/[id]': { area: 'admin' },
	'/staff/admin/users/new': { area: 'admin' },
	// The administrator publishes the conditions that triage officers test requests against.
	'/staff/admin/triage-conditions': { area: 'admin' },
	// Requests for faster handling: the queue of requests, one request, one of its documents.
	'/staff/triage': { area: 'triage' },
	'/staff/triage/[id]': { area: 'triage' },
	'/staff/triage/[id]/documents/[document]': { area: 'triage' }
};

export interface ResolvedRule {
	routeId: string;
	area: AreaName;
	requirement: Requirement;
	languages: PageLanguages;
}

/** The rule for a route id, or undefined when the route has none (and must be refused). */
export function ruleFor(
	routeId: string,
	table: Record<string, RouteRule> = routes
): ResolvedRule | undefined {
	if (!Object.hasOwn(table, routeId)) return undefined;
	const rule = table[routeId];
	const area = areas[rule.area];
	return {
		routeId,
		area: rule.area,
		requirement: rule.requirement ?? area.requirement,
		languages: rule.languages ?? area.languages
	};
}

/** The languages of a route's pages; a request that matched no route (a 404 page) has them all. */
export function pageLanguagesOf(routeId: string | null): PageLanguages {
	return (routeId === null ? undefined : ruleFor(routeId)?.languages) ?? ALL;
}

/** What a requirement needs to know of the person: nothing secret, so the layout can pass it on. */
export interface Holder {
	kind: 'applicant' | 'referent' | 'staff';
	roles: readonly { role: StaffRole }[];
}

export type Decision = 'allow' | 'sign-in' | 'forbidden';

/** Whether a person (null: nobody signed in) meets a requirement. API keys are checked apart. */
export function decide(requirement: Requirement, user: Holder | null): Decision {
	switch (requirement.kind) {
		case 'public':
		case 'api-key':
			return 'allow';
		case 'signed-in':
			return user ? 'allow' : 'sign-in';
		case 'applicant':
			return !user ? 'sign-in' : user.kind === 'applicant' ? 'allow' : 'forbidden';
		case 'roles':
			return !user
				? 'sign-in'
				: user.roles.some((r) => requirement.roles.includes(r.role))
					? 'allow'
					: 'forbidden';
	}
}

export type Verdict =
	/** No route matched: SvelteKit answers its own 404 (or 400 for a malformed path). */
	| { kind: 'not-routed' }
	/** A route without a rule: refused, whoever asks (deny by default). */
	| { kind: 'no-rule' }
	| { kind: 'api-key'; scope: ApiScope }
	| { kind: 'allow'; personal: boolean }
	| { kind: 'sign-in' }
	| { kind: 'forbidden' };

/** What the guard does with a request for a route (by id) from a person (null: nobody signed in). */
export function verdictFor(
	routeId: string | null,
	user: Holder | null,
	table: Record<string, RouteRule> = routes
): Verdict {
	if (routeId === null) return { kind: 'not-routed' };
	const rule = ruleFor(routeId, table);
	if (!rule) return { kind: 'no-rule' };
	const { requirement } = rule;
	if (requirement.kind === 'api-key') return { kind: 'api-key', scope: requirement.scope };
	const decision = decide(requirement, user);
	return decision === 'allow'
		? { kind: 'allow', personal: requirement.kind !== 'public' }
		: { kind: decision };
}

/** The areas a person reaches, of those with a home page. */
export function areasOf(user: Holder | null): AreaName[] {
	return (Object.keys(areas) as AreaName[]).filter(
		(name) => areas[name].home && decide(areas[name].requirement, user) === 'allow'
	);
}

/** Where a person lands after signing in, when they did not ask for a page. */
export function homeOf(user: Holder): string {
	const reached = areasOf(user);
	const area = LANDING_ORDER.find((name) => reached.includes(name)) ?? 'statistics';
	return areas[area].home!;
}

export interface MenuItem {
	area: AreaName;
	href: string;
	label: string;
}

/** The menu a person sees: statistics for everyone, then each area they reach. */
export function menuOf(user: Holder | null): MenuItem[] {
	const reached = areasOf(user);
	return MENU_ORDER.filter((name) => reached.includes(name)).map((name) => ({
		area: name,
		href: areas[name].home!,
		label: areas[name].menu!
	}));
}
