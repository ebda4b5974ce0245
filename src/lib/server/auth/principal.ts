import type { AccountKind, StaffRole, User } from '$lib/server/db/schema';
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

/** The principal of an account, from its row in app_user and its role grants. */
export function toPrincipal(
	user: Pick<User, 'id' | 'email' | 'display_name' | 'kind' | 'applicant_id'>,
	roles: RoleGrant[]
): Principal {
	return {
		id: user.id,
		email: user.email,
		displayName: user.display_name,
		kind: user.kind,
		applicantId: user.applicant_id,
		roles
	};
}

export function hasRole(user: Principal | null, ...roles: StaffRole[]): boolean {
	return !!user && user.roles.some((r) => roles.includes(r.role));
}

export function grantOf(user: Principal, role: StaffRole): RoleGrant | undefined {
	return user.roles.find((r) => r.role === role);
}

/**
 * The principal as the audit log records them, acting in one role. There is no anonymous actor:
 * get the principal from requirePrincipal (auth/access.ts) first.
 */
export function actorOf(user: Principal, role: string, ip: string | null): Actor {
	if (!user) throw new TypeError('actorOf needs a signed-in principal');
	const grant = user.roles.find((r) => r.role === role);
	// Acting in a role one does not hold would forge the audit log's account of who did what.
	if (!grant && role !== user.kind)
		throw new TypeError(`user ${user.id} does not hold the role ${role}`);
	return {
		userId: user.id,
		role,
		organisation: grant?.organisationName ?? null,
		desk: grant?.desk ?? null,
		ip
	};
}

/** The KvK numbers of the organisations whose referent the person is. */
export function organisationKvks(user: Principal): string[] {
	return user.roles
		.filter((r) => r.role === 'referent_admin' || r.role === 'referent_member')
		.map((r) => r.organisationKvk!)
		.filter(Boolean);
}
