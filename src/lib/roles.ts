/**
 * The roles a person can hold, and the groups the rest of the code speaks of. Browser-safe: the
 * access table, the admin forms and the server all read these lists, never a copy.
 */
export const ROLES = [
	'referent_member',
	'referent_admin',
	'counter',
	'triage',
	'planner',
	'admin'
] as const;
export type Role = (typeof ROLES)[number];

/** IND staff roles an administrator grants, in the order the forms show them. */
export const STAFF_ROLES = [
	'counter',
	'triage',
	'planner',
	'admin'
] as const satisfies readonly Role[];
export type StaffOnlyRole = (typeof STAFF_ROLES)[number];

export const REFERENT_ROLES = [
	'referent_member',
	'referent_admin'
] as const satisfies readonly Role[];
/** Back-office roles that look cases up at /staff. */
export const OFFICE_ROLES = ['triage', 'planner', 'admin'] as const satisfies readonly Role[];
export type OfficeRole = (typeof OFFICE_ROLES)[number];
export const COUNTER_ROLES = ['counter'] as const satisfies readonly Role[];
/** Those who decide requests for faster handling at /staff/triage. */
export const TRIAGE_ROLES = ['triage'] as const satisfies readonly Role[];
/** Those who plan hearing capacity at /staff/planning. */
export const PLANNER_ROLES = ['planner'] as const satisfies readonly Role[];
export const ADMIN_ROLES = ['admin'] as const satisfies readonly Role[];

/** The roles that may only sign in with a second factor. */
export const SECOND_FACTOR_ROLES = [
	...STAFF_ROLES,
	'referent_admin'
] as const satisfies readonly Role[];

export function isRole(value: string): value is Role {
	return (ROLES as readonly string[]).includes(value);
}
