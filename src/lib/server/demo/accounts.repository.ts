import type { Db } from '$lib/server/db';
import type { AccountKind, StaffRole } from '$lib/server/db/schema';

export async function insertOrganisationsIfAbsent(
	db: Db,
	organisations: readonly { kvk: string; name: string }[]
): Promise<void> {
	await db
		.insertInto('organisation')
		.values(organisations.map((o) => ({ kvk: o.kvk, name: o.name })))
		.onConflict((oc) => oc.column('kvk').doNothing())
		.execute();
}

export async function userExists(db: Db, email: string): Promise<boolean> {
	return !!(await db
		.selectFrom('app_user')
		.select('id')
		.where('email', '=', email)
		.executeTakeFirst());
}

export async function findApplicantId(db: Db, vNumber: string): Promise<number | null> {
	const row = await db
		.selectFrom('applicant')
		.select('id')
		.where('v_number', '=', vNumber)
		.executeTakeFirst();
	return row?.id ?? null;
}

export async function insertDemoUser(
	db: Db,
	user: {
		email: string;
		name: string;
		passwordHash: string;
		kind: AccountKind;
		applicantId: number | null;
	}
): Promise<number> {
	const row = await db
		.insertInto('app_user')
		.values({
			email: user.email,
			display_name: user.name,
			password_hash: user.passwordHash,
			kind: user.kind,
			applicant_id: user.applicantId
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

export async function insertGrant(
	db: Db,
	grant: { userId: number; role: StaffRole; kvk?: string; desk?: string }
): Promise<void> {
	const organisation = grant.kvk
		? await db
				.selectFrom('organisation')
				.select('id')
				.where('kvk', '=', grant.kvk)
				.executeTakeFirstOrThrow()
		: null;
	await db
		.insertInto('user_role')
		.values({
			user_id: grant.userId,
			role: grant.role,
			organisation_id: organisation?.id ?? null,
			desk: grant.desk ?? null
		})
		.execute();
}

export async function insertTotpSecret(db: Db, userId: number, secret: string): Promise<void> {
	await db.insertInto('user_totp').values({ user_id: userId, secret }).execute();
}
