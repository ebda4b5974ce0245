import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { StaffRole, AccountKind } from '$lib/server/db/schema';
import { emailMatches } from '$lib/server/auth/user.repository';

type Trx = Transaction<Database>;

// Any constant, distinct from the audit chain's.
const ROLE_CHANGE_LOCK = 7_270_002;

/**
 * Role changes and disabling are rare: one at a time, so that two administrators taking the role
 * from each other at once cannot both succeed, and the second sees what the first did.
 */
export async function lockRoleChanges(trx: Trx): Promise<void> {
	await sql`select pg_advisory_xact_lock(${ROLE_CHANGE_LOCK})`.execute(trx);
}

export async function findUserIdByEmail(db: Db, email: string) {
	return db.selectFrom('app_user').select('id').where(emailMatches(email)).executeTakeFirst();
}

export async function insertAccount(
	trx: Trx,
	account: { email: string; displayName: string; passwordHash: string; kind: AccountKind }
): Promise<number> {
	const row = await trx
		.insertInto('app_user')
		.values({
			email: account.email.trim(),
			display_name: account.displayName.trim(),
			password_hash: account.passwordHash,
			kind: account.kind,
			applicant_id: null
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

export interface RoleGrant {
	role: StaffRole;
	organisationId?: number | null;
	desk?: string | null;
}

export async function insertRoles(trx: Trx, userId: number, grants: RoleGrant[]): Promise<void> {
	if (grants.length === 0) return;
	await trx
		.insertInto('user_role')
		.values(
			grants.map((g) => ({
				user_id: userId,
				role: g.role,
				organisation_id: g.organisationId ?? null,
				desk: g.desk ?? null
			}))
		)
		.execute();
}

/** Replaces a user's roles; returns the roles they had. */
export async function replaceRoles(
	trx: Trx,
	userId: number,
	grants: RoleGrant[]
): Promise<StaffRole[]> {
	const before = await trx
		.selectFrom('user_role')
		.select('role')
		.where('user_id', '=', userId)
		.execute();
	await trx.deleteFrom('user_role').where('user_id', '=', userId).execute();
	await insertRoles(trx, userId, grants);
	return before.map((r) => r.role);
}

export async function lockAccount(trx: Trx, userId: number) {
	return trx
		.selectFrom('app_user')
		.select(['id', 'kind', 'disabled_at'])
		.where('id', '=', userId)
		.forUpdate()
		.executeTakeFirst();
}

/** How many administrators there are; with `activeOnly`, those whose account is not disabled. */
export async function countAdmins(trx: Trx, activeOnly: boolean): Promise<number> {
	const row = await trx
		.selectFrom('user_role')
		.innerJoin('app_user', 'app_user.id', 'user_role.user_id')
		.select((eb) => eb.fn.countAll<string>().as('n'))
		.where('user_role.role', '=', 'admin')
		.$if(activeOnly, (q) => q.where('app_user.disabled_at', 'is', null))
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

export async function setDisabledAt(trx: Trx, userId: number, at: Date | null): Promise<void> {
	await trx.updateTable('app_user').set({ disabled_at: at }).where('id', '=', userId).execute();
}

export async function findOrganisationByKvk(db: Db, kvk: string) {
	return db.selectFrom('organisation').select('id').where('kvk', '=', kvk).executeTakeFirst();
}

export async function insertOrganisation(
	trx: Trx,
	organisation: { kvk: string; name: string }
): Promise<number> {
	const row = await trx
		.insertInto('organisation')
		.values({ kvk: organisation.kvk, name: organisation.name.trim() })
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

/** Staff and referent accounts (one, or all), with whether they have a second factor. */
export async function findAccounts(db: Db, id?: number) {
	return db
		.selectFrom('app_user')
		.leftJoin('user_totp', 'user_totp.user_id', 'app_user.id')
		.select(['id', 'email', 'display_name', 'kind', 'disabled_at'])
		.select((eb) => eb('user_totp.user_id', 'is not', null).as('has_totp'))
		.where('kind', 'in', ['staff', 'referent'])
		.$if(id !== undefined, (q) => q.where('id', '=', id!))
		.orderBy('id')
		.execute();
}

export async function findRoleGrants(db: Db, userId?: number) {
	return db
		.selectFrom('user_role')
		.leftJoin('organisation', 'organisation.id', 'user_role.organisation_id')
		.select(['user_id', 'role', 'desk', 'organisation.name as organisation'])
		.$if(userId !== undefined, (q) => q.where('user_id', '=', userId!))
		.execute();
}

export async function findOrganisations(db: Db) {
	return db
		.selectFrom('organisation')
		.leftJoin('case', (join) => join.onRef('case.sponsor_kvk', '=', 'organisation.kvk'))
		.select([
			'organisation.id',
			'organisation.kvk',
			'organisation.name',
			'organisation.recognised',
			(eb) => eb.fn.count<number>('case.id').as('cases')
		])
		.groupBy([
			'organisation.id',
			'organisation.kvk',
			'organisation.name',
			'organisation.recognised'
		])
		.orderBy('organisation.name')
		.execute();
}

/** Sets whether the IND recognises the organisation; returns its KvK number, or null when unknown. */
export async function setOrganisationRecognised(
	db: Db,
	id: number,
	recognised: boolean
): Promise<string | null> {
	const row = await db
		.updateTable('organisation')
		.set({ recognised })
		.where('id', '=', id)
		.returning('kvk')
		.executeTakeFirst();
	return row?.kvk ?? null;
}
