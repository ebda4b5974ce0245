import type { Db } from '$lib/server/db';
import type { StaffRole } from '$lib/server/db/schema';

export async function findUserByEmail(db: Db, email: string) {
	return db
		.selectFrom('app_user')
		.selectAll()
		.where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
		.executeTakeFirst();
}

export async function findRoles(db: Db, userId: number) {
	return db
		.selectFrom('user_role')
		.leftJoin('organisation', 'organisation.id', 'user_role.organisation_id')
		.select([
			'user_role.role',
			'user_role.organisation_id as organisationId',
			'organisation.kvk as organisationKvk',
			'organisation.name as organisationName',
			'user_role.desk'
		])
		.where('user_id', '=', userId)
		.orderBy('role')
		.execute();
}

export type RoleGrant = Awaited<ReturnType<typeof findRoles>>[number];
export type { StaffRole };

/** The principal of an account, e.g. right after sign-in, to know where they land. */
export async function findPrincipal(db: Db, userId: number) {
	const user = await db
		.selectFrom('app_user')
		.select(['id', 'email', 'display_name', 'kind', 'applicant_id'])
		.where('id', '=', userId)
		.executeTakeFirstOrThrow();
	return {
		id: user.id,
		email: user.email,
		displayName: user.display_name,
		kind: user.kind,
		applicantId: user.applicant_id,
		roles: await findRoles(db, userId)
	};
}
