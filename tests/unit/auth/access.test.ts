import { describe, expect, it } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isHttpError, isRedirect } from '@sveltejs/kit';
import {
	areasOf,
	decide,
	homeOf,
	menuOf,
	routes,
	ruleFor,
	verdictFor,
	type RouteRule
} from '$lib/access';
import { languagesFor } from '$lib/i18n';
import { landingPath, requireApplicant, requirePrincipal, safeNext } from '$lib/server/auth/access';
import { actorOf, type Principal } from '$lib/server/auth/principal';
import type { StaffRole } from '$lib/server/db/schema';
import { friendlyNext, hostileNext } from './next-corpus';

/** The route ids SvelteKit gives `event.route.id`: the directory under src/routes, groups included. */
function routeIdsOnDisk(dir = 'src/routes'): string[] {
	const ids = new Set<string>();
	for (const name of readdirSync(dir)) {
		const full = join(dir, name);
		if (statSync(full).isDirectory()) routeIdsOnDisk(full).forEach((id) => ids.add(id));
		else if (['+page.svelte', '+page.server.ts', '+page.ts', '+server.ts'].includes(name))
			ids.add('/' + relative('src/routes', dir).split(/[\\/]/).filter(Boolean).join('/'));
	}
	return [...ids].sort();
}

function routesWithoutRule(ids: string[], table: Record<string, RouteRule>): string[] {
	return ids.filter((id) => ruleFor(id, table) === undefined);
}

function person(kind: Principal['kind'], roles: StaffRole[] = []): Principal {
	return {
		id: 7,
		email: 'someone@demo.test',
		displayName: 'Someone',
		kind,
		applicantId: kind === 'applicant' ? 3 : null,
		roles: roles.map((role) => ({
			role,
			organisationId: null,
			organisationKvk: null,
			organisationName: null,
			desk: null
		}))
	};
}

const people = {
	applicant: person('applicant'),
	referentMember: person('referent', ['referent_member']),
	referentAdmin: person('referent', ['referent_admin']),
	counter: person('staff', ['counter']),
	triage: person('staff', ['triage']),
	planner: person('staff', ['planner']),
	admin: person('staff', ['admin']),
	noRoles: person('staff')
};

const ORIGIN = 'http://localhost:4201';

describe('the access table', () => {
	it('has a rule for every route in src/routes, and none for a route that does not exist', () => {
		const onDisk = routeIdsOnDisk();
		expect(onDisk.length).toBeGreaterThan(20);
		expect(routesWithoutRule(onDisk, routes)).toEqual([]);
		expect(Object.keys(routes).sort()).toEqual(onDisk);
	});

	it('reports a route that has no rule', () => {
		const { ['/staff/admin/outbox']: _, ...withoutOutbox } = routes;
		expect(routesWithoutRule(routeIdsOnDisk(), withoutOutbox)).toEqual(['/staff/admin/outbox']);
		expect(ruleFor('/staff/admin/secret')).toBeUndefined();
		// Inherited object keys are not rules.
		expect(ruleFor('constructor')).toBeUndefined();
		expect(ruleFor('__proto__')).toBeUndefined();
	});

	it('keys rules by route id, so a spelling of a path is not a rule', () => {
		expect(ruleFor('/staff/admin/outbox')?.requirement).toEqual({
			kind: 'roles',
			roles: ['admin']
		});
		expect(ruleFor('/st%61ff/admin/outbox')).toBeUndefined();
		expect(ruleFor('/staff/admin/outbox/')).toBeUndefined();
		expect(ruleFor('/cases/[reference=reference]')?.requirement).toEqual({ kind: 'applicant' });
		expect(ruleFor('/cases/IND-2026-90000001')).toBeUndefined();
	});

	it('names the scope an API key needs on each case-system route', () => {
		expect(ruleFor('/api/v1/events')?.requirement).toEqual({
			kind: 'api-key',
			scope: 'events:write'
		});
		expect(ruleFor('/api/v1/cases/[reference=reference]/activation-letter')?.requirement).toEqual({
			kind: 'api-key',
			scope: 'letters:issue'
		});
		expect(ruleFor('/api/health')?.requirement).toEqual({ kind: 'public' });
	});
});

describe('decide', () => {
	const expected: Record<string, Record<keyof typeof people | 'anonymous', string>> = {
		'/statistics': {
			anonymous: 'allow',
			applicant: 'allow',
			referentMember: 'allow',
			referentAdmin: 'allow',
			counter: 'allow',
			triage: 'allow',
			planner: 'allow',
			admin: 'allow',
			noRoles: 'allow'
		},
		'/account/sessions': {
			anonymous: 'sign-in',
			applicant: 'allow',
			referentMember: 'allow',
			referentAdmin: 'allow',
			counter: 'allow',
			triage: 'allow',
			planner: 'allow',
			admin: 'allow',
			noRoles: 'allow'
		},
		'/account/notifications': {
			anonymous: 'sign-in',
			applicant: 'allow',
			referentMember: 'forbidden',
			referentAdmin: 'forbidden',
			counter: 'forbidden',
			triage: 'forbidden',
			planner: 'forbidden',
			admin: 'forbidden',
			noRoles: 'forbidden'
		},
		'/cases/[reference=reference]': {
			anonymous: 'sign-in',
			applicant: 'allow',
			referentMember: 'forbidden',
			referentAdmin: 'forbidden',
			counter: 'forbidden',
			triage: 'forbidden',
			planner: 'forbidden',
			admin: 'forbidden',
			noRoles: 'forbidden'
		},
		'/referent': {
			anonymous: 'sign-in',
			applicant: 'forbidden',
			referentMember: 'allow',
			referentAdmin: 'allow',
			counter: 'forbidden',
			triage: 'forbidden',
			planner: 'forbidden',
			admin: 'forbidden',
			noRoles: 'forbidden'
		},
		'/counter': {
			anonymous: 'sign-in',
			applicant: 'forbidden',
			referentMember: 'forbidden',
			referentAdmin: 'forbidden',
			counter: 'allow',
			triage: 'forbidden',
			planner: 'forbidden',
			admin: 'forbidden',
			noRoles: 'forbidden'
		},
		'/staff': {
			anonymous: 'sign-in',
			applicant: 'forbidden',
			referentMember: 'forbidden',
			referentAdmin: 'forbidden',
			counter: 'forbidden',
			triage: 'allow',
			planner: 'allow',
			admin: 'allow',
			noRoles: 'forbidden'
		},
		'/staff/admin/users/new': {
			anonymous: 'sign-in',
			applicant: 'forbidden',
			referentMember: 'forbidden',
			referentAdmin: 'forbidden',
			counter: 'forbidden',
			triage: 'forbidden',
			planner: 'forbidden',
			admin: 'allow',
			noRoles: 'forbidden'
		}
	};
	for (const [routeId, row] of Object.entries(expected)) {
		it(`decides ${routeId} for every kind of person`, () => {
			const requirement = ruleFor(routeId)!.requirement;
			const got = Object.fromEntries(
				Object.keys(row).map((who) => [
					who,
					decide(requirement, who === 'anonymous' ? null : people[who as keyof typeof people])
				])
			);
			expect(got).toEqual(row);
		});
	}
});

describe('areas, landing and menu per role', () => {
	it('lands each person on the home of their first area', () => {
		expect(homeOf(people.applicant)).toBe('/cases');
		expect(homeOf(people.referentMember)).toBe('/referent');
		expect(homeOf(people.referentAdmin)).toBe('/referent');
		expect(homeOf(people.counter)).toBe('/counter');
		expect(homeOf(people.triage)).toBe('/staff');
		expect(homeOf(people.planner)).toBe('/staff');
		expect(homeOf(people.admin)).toBe('/staff/admin');
		expect(homeOf(person('staff', ['counter', 'admin']))).toBe('/counter');
		expect(homeOf(people.noRoles)).toBe('/account/sessions');
	});

	it('shows each person the menu of the areas they reach', () => {
		const labels = (who: Principal | null) => menuOf(who).map((m) => m.label);
		expect(labels(null)).toEqual(['nav.statistics']);
		expect(labels(people.applicant)).toEqual(['nav.statistics', 'nav.my_cases', 'nav.devices']);
		expect(labels(people.referentAdmin)).toEqual(['nav.statistics', 'nav.referent', 'nav.devices']);
		expect(labels(people.counter)).toEqual(['nav.statistics', 'nav.counter', 'nav.devices']);
		expect(labels(people.planner)).toEqual([
			'nav.statistics',
			'nav.staff',
			'nav.planning',
			'nav.devices'
		]);
		expect(labels(people.admin)).toEqual([
			'nav.statistics',
			'nav.staff',
			'nav.admin',
			'nav.devices'
		]);
		expect(menuOf(people.admin).map((m) => m.href)).toEqual([
			'/statistics',
			'/staff',
			'/staff/admin',
			'/account/sessions'
		]);
	});

	it('reaches an area exactly when its home page allows them', () => {
		for (const who of Object.values(people)) {
			for (const area of areasOf(who)) {
				const home = menuOf(who).find((m) => m.area === area)!.href;
				const routeId = Object.keys(routes).find((id) => id === home)!;
				expect(decide(ruleFor(routeId)!.requirement, who)).toBe('allow');
			}
		}
	});
});

describe('page languages by route id', () => {
	const codes = (routeId: string | null) => languagesFor(routeId).map((l) => l.code);

	it('offers applicant pages in every language and staff pages in Dutch and English', () => {
		const all = ['nl', 'en', 'ar', 'fa', 'ti', 'tr', 'uk'];
		expect(codes('/cases/[reference=reference]')).toEqual(all);
		expect(codes('/auth/login')).toEqual(all);
		for (const id of [
			'/referent',
			'/referent/cases/[reference=reference]',
			'/counter',
			'/staff',
			'/staff/admin/users/[id]'
		])
			expect(codes(id)).toEqual(['nl', 'en']);
		// A 404 page (no route matched) speaks every language.
		expect(codes(null)).toEqual(all);
	});

	it('lets a route declare a second language shown beside its own', () => {
		const table: Record<string, RouteRule> = {
			'/counter/screen': { area: 'counter', languages: { page: ['nl', 'en'], beside: 'all' } }
		};
		expect(ruleFor('/counter/screen', table)).toMatchObject({
			requirement: { kind: 'roles', roles: ['counter'] },
			languages: { page: ['nl', 'en'], beside: 'all' }
		});
	});
});

describe('after sign-in, next= stays on our origin', () => {
	for (const next of hostileNext) {
		it(`resolves ${JSON.stringify(next)} on our origin`, () => {
			const location = landingPath(people.admin, next, ORIGIN);
			// The way a browser follows a Location header.
			expect(new URL(location, ORIGIN).origin).toBe(ORIGIN);
			// A header value: printable ASCII only.
			expect(location).toMatch(/^\/[\x21-\x7e]*$/);
			expect(location.startsWith('//')).toBe(false);
			expect(new URL(location, ORIGIN).pathname.startsWith('/auth/')).toBe(false);
		});
	}

	it('keeps a next page of ours', () => {
		for (const [next, location] of friendlyNext)
			expect(landingPath(people.admin, next, ORIGIN)).toBe(location);
	});

	it("sends a refused or absent next to the person's home", () => {
		expect(landingPath(people.admin, '//evil.example', ORIGIN)).toBe('/staff/admin');
		expect(landingPath(people.applicant, '/\t/evil.example', ORIGIN)).toBe('/cases');
		expect(landingPath(people.applicant, null, ORIGIN)).toBe('/cases');
		expect(safeNext('/auth/login', ORIGIN)).toBeNull();
		expect(safeNext('https://evil.example', ORIGIN)).toBeNull();
	});

	it('keeps the scheme-relative trick on our origin over https too', () => {
		const https = 'https://portal.example';
		for (const next of hostileNext)
			expect(new URL(landingPath(people.applicant, next, https), https).origin).toBe(https);
	});
});

describe('principal helpers', () => {
	const locals = (user: Principal | null): App.Locals => ({
		lang: 'en',
		user,
		sessionId: null,
		accountLanguage: null,
		apiKeyId: null
	});

	function thrown(fn: () => unknown): unknown {
		try {
			fn();
		} catch (e) {
			return e;
		}
		throw new Error('expected a throw');
	}

	it('sends someone who is not signed in to sign in', () => {
		const e = thrown(() => requirePrincipal(locals(null), 'admin'));
		expect(isRedirect(e) && e.status === 303 && e.location).toBe('/auth/login');
		expect(isRedirect(thrown(() => requireApplicant(locals(null))))).toBe(true);
		expect(isRedirect(thrown(() => requirePrincipal(locals(null))))).toBe(true);
	});

	it('refuses a person without the role with 403', () => {
		for (const who of [people.applicant, people.triage, people.referentAdmin, people.noRoles]) {
			const e = thrown(() => requirePrincipal(locals(who), 'admin'));
			expect(isHttpError(e) && e.status).toBe(403);
		}
		const e = thrown(() => requireApplicant(locals(people.admin)));
		expect(isHttpError(e) && e.status).toBe(403);
	});

	it('gives the principal who holds a role', () => {
		expect(requirePrincipal(locals(people.admin), 'admin')).toBe(people.admin);
		expect(requirePrincipal(locals(people.planner), 'triage', 'planner', 'admin')).toBe(
			people.planner
		);
		expect(requirePrincipal(locals(people.noRoles))).toBe(people.noRoles);
		expect(requireApplicant(locals(people.applicant))).toBe(people.applicant);
	});

	it('cannot construct an anonymous actor, or one acting in a role not held', () => {
		expect(() => actorOf(null as unknown as Principal, 'admin', '10.0.0.1')).toThrow();
		expect(() => actorOf(people.triage, 'admin', '10.0.0.1')).toThrow();
		expect(actorOf(people.admin, 'admin', '10.0.0.1')).toMatchObject({
			userId: 7,
			role: 'admin',
			ip: '10.0.0.1'
		});
		expect(actorOf(people.applicant, 'applicant', null)).toMatchObject({
			userId: 7,
			role: 'applicant'
		});
	});
});

describe("the guard's verdict", () => {
	it('refuses a route that has no rule, whoever asks (deny by default)', () => {
		const { ['/staff/admin/outbox']: _, ...withoutOutbox } = routes;
		for (const who of [null, ...Object.values(people)]) {
			expect(verdictFor('/staff/admin/outbox', who, withoutOutbox)).toEqual({ kind: 'no-rule' });
			expect(verdictFor('/a/route/added/later', who)).toEqual({ kind: 'no-rule' });
		}
	});

	it("leaves a request no route matched to SvelteKit's 404", () => {
		expect(verdictFor(null, null)).toEqual({ kind: 'not-routed' });
	});

	it('sends the anonymous to sign in, refuses the wrong role, and marks personal pages', () => {
		expect(verdictFor('/staff/admin/outbox', null)).toEqual({ kind: 'sign-in' });
		expect(verdictFor('/staff/admin/outbox', people.triage)).toEqual({ kind: 'forbidden' });
		expect(verdictFor('/staff/admin/outbox', people.admin)).toEqual({
			kind: 'allow',
			personal: true
		});
		expect(verdictFor('/statistics', null)).toEqual({ kind: 'allow', personal: false });
		expect(verdictFor('/api/v1/events', people.admin)).toEqual({
			kind: 'api-key',
			scope: 'events:write'
		});
	});
});
