import { sql, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database, Db } from '$lib/server/db';
import { REFERENT_ROLES } from '$lib/roles';
import { NEVER_SPONSORED } from '$lib/server/cases/case.repository';

type Trx = Transaction<Database>;

/** The person's organisations as a referent, each with their digest setting (none yet: null). */
export async function findDigestSettings(db: Db, userId: number) {
	return db
		.selectFrom('user_role')
		.innerJoin('organisation', 'organisation.id', 'user_role.organisation_id')
		.leftJoin('referent_digest', (join) =>
			join
				.onRef('referent_digest.organisation_id', '=', 'organisation.id')
				.on('referent_digest.user_id', '=', userId)
		)
		.select([
			'organisation.id as organisationId',
			'organisation.kvk',
			'organisation.name',
			'referent_digest.enabled',
			'referent_digest.reported_until',
			'referent_digest.last_sent_at'
		])
		.where('user_role.user_id', '=', userId)
		.where('user_role.role', 'in', REFERENT_ROLES)
		.orderBy('organisation.name')
		.orderBy('organisation.id')
		.execute();
}

/**
 * Turns a member's digest on or off. Turned on from off (or for the first time), it reports
 * from now, by the database's clock: what happened while it was off is not sent afterwards.
 * "From now" includes now: a change stamped with the same moment (PGlite's clock counts whole
 * milliseconds) is reported, as the watermark is exclusive.
 */
export async function upsertDigestSetting(
	db: Db | Trx,
	userId: number,
	organisationId: number,
	enabled: boolean
): Promise<void> {
	await db
		.insertInto('referent_digest')
		.values({
			user_id: userId,
			organisation_id: organisationId,
			enabled,
			reported_until: sql<Date>`now() - interval '1 microsecond'`,
			updated_at: sql<Date>`now()`
		})
		.onConflict((oc) =>
			oc.columns(['user_id', 'organisation_id']).doUpdateSet((eb) => ({
				enabled: eb.ref('excluded.enabled'),
				reported_until: sql<Date>`case when referent_digest.enabled then referent_digest.reported_until else excluded.reported_until end`,
				updated_at: eb.ref('excluded.updated_at')
			}))
		)
		.execute();
}

/**
 * The next subscription that is on and has not run on `today`, locked; one that another run
 * holds is skipped (`skip locked`), so that two app servers never take the same one. Says
 * whether the account may still receive it: active, and a referent of the organisation.
 */
export async function lockNextDueDigest(trx: Trx, today: string) {
	return trx
		.selectFrom('referent_digest')
		.innerJoin('app_user', 'app_user.id', 'referent_digest.user_id')
		.innerJoin('organisation', 'organisation.id', 'referent_digest.organisation_id')
		.select((eb) => [
			'referent_digest.user_id',
			'referent_digest.organisation_id',
			'referent_digest.reported_until',
			'app_user.email',
			'app_user.display_name',
			'app_user.language',
			'app_user.disabled_at',
			'organisation.kvk',
			'organisation.name as organisation_name',
			eb
				.selectFrom('user_role')
				.select('user_role.role')
				.whereRef('user_role.user_id', '=', 'referent_digest.user_id')
				.whereRef('user_role.organisation_id', '=', 'referent_digest.organisation_id')
				.where('user_role.role', 'in', REFERENT_ROLES)
				.orderBy('user_role.role')
				.limit(1)
				.as('role')
		])
		.where('referent_digest.enabled', '=', true)
		.where((eb) =>
			eb.or([
				eb('referent_digest.last_run_on', 'is', null),
				eb('referent_digest.last_run_on', '<', today)
			])
		)
		.orderBy('referent_digest.user_id')
		.orderBy('referent_digest.organisation_id')
		.limit(1)
		.forUpdate('referent_digest')
		.skipLocked()
		.executeTakeFirst();
}

/** After a run: reported up to `reportedUntil`, run on `today`, and sent at `sentAt` if it was. */
export async function markDigestRun(
	trx: Trx,
	userId: number,
	organisationId: number,
	run: { reportedUntil: Date; today: string; sentAt: Date | null }
): Promise<void> {
	await trx
		.updateTable('referent_digest')
		.set((eb) => ({
			reported_until: run.reportedUntil,
			last_run_on: run.today,
			last_sent_at: run.sentAt ?? eb.ref('last_sent_at')
		}))
		.where('user_id', '=', userId)
		.where('organisation_id', '=', organisationId)
		.execute();
}

/** The database's clock, which stamps each event's `received_at`. */
export async function findDatabaseClock(db: Db): Promise<Date> {
	const { rows } = await sql<{ now: Date }>`select clock_timestamp() as now`.execute(db);
	return new Date(rows[0].now);
}

/**
 * The cases the organisation sponsors now (never asylum or nareis) with changes the portal
 * received after `after` and up to `until` (null: up to now): the first `limit` by reference with those changes
 * in the order they happened, and how many cases changed in all.
 */
export async function findDigestChanges(
	db: Db | Trx,
	kvk: string,
	after: Date,
	until: Date | null,
	limit: number
) {
	const inWindow =
		until === null
			? sql<boolean>`e.received_at > ${after}`
			: sql<boolean>`e.received_at > ${after} and e.received_at <= ${until}`;
	const rows = await db
		.with('changed', (q) =>
			q
				.selectFrom('case_event as e')
				.innerJoin('case', 'case.id', 'e.case_id')
				.select('case.id')
				.where('case.sponsor_kvk', '=', kvk)
				.where('case.product_code', 'not in', NEVER_SPONSORED)
				.where(inWindow)
				.groupBy('case.id')
		)
		.selectFrom('changed')
		.innerJoin('case', 'case.id', 'changed.id')
		.innerJoin('applicant', 'applicant.id', 'case.applicant_id')
		.select((eb) => [
			'case.reference',
			'case.product_code',
			'applicant.name as applicant_name',
			sql<number>`count(*) over ()`.as('total'),
			jsonArrayFrom(
				eb
					.selectFrom('case_event as e')
					.select(['e.type', 'e.occurred_at', 'e.data'])
					.whereRef('e.case_id', '=', 'case.id')
					.where(inWindow)
					.orderBy('e.occurred_at')
					.orderBy('e.received_at')
			).as('events')
		])
		.orderBy('case.reference')
		.limit(limit)
		.execute();
	return { rows, total: Number(rows[0]?.total ?? 0) };
}
