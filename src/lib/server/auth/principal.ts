import type { AccountKind, StaffRole } from '$lib/server/db/schema';
import type { RoleGrant } from './user.repository';
import type { Actor } from '$lib/server/audit/audit.service';

/** The signed-in person, as every page and service sees them. */
export interface Principal {
	id: number;
	email: string;
	displayName: string;
	kind: AccountKind;
	applicantId: number | null;
	roles: RoleGrant[];
}

export function hasRole(user: Principal | null, ...roles: StaffRole[]): boolean {
	return !!user && user.roles.some((r) => roles.includes(r.role));
}

export function grantOf(user: Principal, role: StaffRole): RoleGrant | undefined {
	return user.roles.find((r) => r.role === role);
}

/** The principal as the audit log records them, acting in one role. */
export function actorOf(user: Principal | null, role: string, ip: string | null): Actor {
	if (!user) return { userId: null, role, ip };
	const grant = user.roles.find((r) => r.role === role);
	return { userId: user.id, role, organisation: grant?.organisationName ?? null, desk: grant?.desk ?? null, ip };
}
