import type { Principal } from './principal';

/** Where a person lands after signing in: their `next` page when it is ours, else their area. */
export function landingPath(user: Principal, next: string | null): string {
	if (next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/auth/')) return next;
	if (user.kind === 'applicant') return '/cases';
	const roles = user.roles.map((r) => r.role);
	if (roles.includes('referent_admin') || roles.includes('referent_member')) return '/referent';
	if (roles.includes('counter')) return '/counter';
	if (roles.includes('admin')) return '/staff/admin';
	if (roles.length) return '/staff';
	return '/account/sessions';
}
