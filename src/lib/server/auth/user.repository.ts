import type { ExpressionBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database, Db } from '$lib/server/db';
import type { AccountKind, StaffRole } from '$lib/server/db/schema';
import { toPrincipal } from './principal';

/** A role grant as pages and guards read it. */
export const roleColumns = [
	'user_role.role',
	'user_role.organisation_id as organisationId',
	'organisation.kvk as organisationKvk',
	'organisation.name as organisationName',
	'user_role.desk'
] as const;

/** Whether the account has a key for the second step, as a column of a query on app_user. */
function hasTotpColumn(eb: ExpressionBuilder<Database, 'app_user'>) {
	return eb
		.exists(
			eb
				.selectFrom('user_totp')
				.select('user_totp.user_id')
				.whereRef('user_totp.user_id', '=', 'app_user.id')
		)
		.as('hasTotp');
}

/**
 * The account as a sign-in step or a session check reads it, joined to app_user: who it is,
 * whether it is disabled, and whether it has a key for the second step.
 */
export function signInAccountColumns(eb: ExpressionBuilder<Database, 'app_user'>) {
	return [
		'app_user.id as userId',
		'app_user.email',
		'app_user.display_name as displayName',
		'app_user.kind',
		'app_user.applicant_id as applicantId',
		'app_user.disabled_at as disabledAt',
		hasTotpColumn(eb)
	] as const;
}

/** The account's role grants, as pages and guards read them, as a column of a query on app_user. */
export function rolesColumn(eb: ExpressionBuilder<Database, 'app_user'>) {
	return jsonArrayFrom(
		eb
			.selectFrom('user_role')
			.leftJoin('organisation', 'organisation.id', 'user_role.organisation_id')
			.select(roleColumns)
			.whereRef('user_role.user_id', '=', 'app_user.id')
			.orderBy('user_role.role')
	).as('roles');
}

/** The account of an address: addresses match whatever their case and surrounding spaces. */
export function emailMatches(address: string) {
	return (eb: ExpressionBuilder<Database, 'app_user'>) =>
		eb(eb.fn('lower', ['app_user.email']), '=', address.trim().toLowerCase());
}

export async function findUserByEmail(db: Db, email: string) {
	return db.selectFrom('app_user').selectAll().where(emailMatches(email)).executeTakeFirst();
}

/** The active account of an address, locked until the transaction ends. */
export async function lockActiveUserByEmail(trx: Db, address: string) {
	return trx
		.selectFrom('app_user')
		.select(['id', 'email', 'display_name'])
		.where(emailMatches(address))
		.where('disabled_at', 'is', null)
		.forUpdate()
		.executeTakeFirst();
}

/**
 * The accounts that a new account for this applicant and address would clash with, in one
 * statement: the applicant's own and the address's (at most two rows).
 */
export async function findClashingAccounts(db: Db, applicantId: number, address: string) {
	return db
		.selectFrom('app_user')
		.select('applicant_id')
		.where((eb) => eb.or([eb('applicant_id', '=', applicantId), emailMatches(address)(eb)]))
		.execute();
}

export async function insertUser(
	db: Db,
	user: {
		email: string;
		passwordHash: string;
		displayName: string;
		kind: AccountKind;
		applicantId: number | null;
		language?: string;
	}
): Promise<number> {
	const row = await db
		.insertInto('app_user')
		.values({
			email: user.email,
			password_hash: user.passwordHash,
			display_name: user.displayName,
			kind: user.kind,
			applicant_id: user.applicantId,
			...(user.language !== undefined ? { language: user.language } : {})
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

/** The account's language, for its pages, e-mails and pushes. */
/** Writes only when the language changes: switching back and forth on a page costs no write. */
export async function updateUserLanguage(db: Db, userId: number, language: string): Promise<void> {
	await db
		.updateTable('app_user')
		.set({ language })
		.where('id', '=', userId)
		.where('language', '<>', language)
		.execute();
}

export async function updatePasswordHash(db: Db, userId: number, hash: string): Promise<void> {
	await db.updateTable('app_user').set({ password_hash: hash }).where('id', '=', userId).execute();
}

export async function findRoles(db: Db, userId: number) {
	return db
		.selectFrom('user_role')
		.leftJoin('organisation', 'organisation.id', 'user_role.organisation_id')
		.select(roleColumns)
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
	return toPrincipal(user, await findRoles(db, userId));
}
