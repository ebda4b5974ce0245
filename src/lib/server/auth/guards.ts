import type { StaffRole } from '$lib/server/db/schema';
import type { Principal } from './principal';

export type Requirement =
	| { kind: 'public' }
	| { kind: 'api-key' }
	| { kind: 'signed-in' }
	| { kind: 'applicant' }
	| { kind: 'role'; roles: StaffRole[] };

/** Route prefixes and who may use them, most specific first. Form actions and endpoints included. */
export const routeRules: { prefix: string; requirement: Requirement }[] = [
	{ prefix: '/api/v1/', requirement: { kind: 'api-key' } },
	{ prefix: '/staff/admin', requirement: { kind: 'role', roles: ['admin'] } },
	{ prefix: '/staff', requirement: { kind: 'role', roles: ['triage', 'planner', 'admin'] } },
	{ prefix: '/counter', requirement: { kind: 'role', roles: ['counter'] } },
	{ prefix: '/referent', requirement: { kind: 'role', roles: ['referent_member', 'referent_admin'] } },
	{ prefix: '/cases', requirement: { kind: 'applicant' } },
	{ prefix: '/account/security', requirement: { kind: 'signed-in' } },
	{ prefix: '/account', requirement: { kind: 'signed-in' } },
	// The second step after the password: no session yet, the pending sign-in's cookie is checked by the pages.
	{ prefix: '/auth/login/verify', requirement: { kind: 'public' } },
	{ prefix: '/auth/login/enrol', requirement: { kind: 'public' } }
];

function matches(pathname: string, prefix: string): boolean {
	if (prefix.endsWith('/')) return pathname.startsWith(prefix);
	return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

export function requirementFor(pathname: string): Requirement {
	return routeRules.find((r) => matches(pathname, r.prefix))?.requirement ?? { kind: 'public' };
}

export type Decision = 'allow' | 'sign-in' | 'forbidden';

export function decide(requirement: Requirement, user: Principal | null): Decision {
	switch (requirement.kind) {
		case 'public':
		case 'api-key':
			return 'allow';
		case 'signed-in':
			return user ? 'allow' : 'sign-in';
		case 'applicant':
			return !user ? 'sign-in' : user.kind === 'applicant' ? 'allow' : 'forbidden';
		case 'role':
			return !user ? 'sign-in' : user.roles.some((r) => requirement.roles.includes(r.role)) ? 'allow' : 'forbidden';
	}
}
