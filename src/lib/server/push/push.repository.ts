import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';

type Trx = Transaction<Database>;

export async function findVapidKeys(db: Db) {
	return db.selectFrom('push_vapid').select(['public_key', 'private_key']).executeTakeFirst();
}

/** Stores the pair unless another server stored one first; the caller reads the winner. */
export async function insertVapidKeysIfAbsent(
	db: Db,
	keys: { public_key: string; private_key: string }
): Promise<void> {
	await db
		.insertInto('push_vapid')
		.values(keys)
		.onConflict((oc) => oc.column('id').doNothing())
		.execute();
}

export interface NewSubscription {
	endpoint: string;
	p256dh: string;
	auth: string;
	user_agent: string | null;
}

/**
 * A browser has one subscription per endpoint: when another account signs in on the same device
 * and turns notifications on, the device is theirs from then on.
 */
export async function upsertSubscription(db: Db, userId: number, s: NewSubscription) {
	return db
		.insertInto('push_subscription')
		.values({ user_id: userId, ...s })
		.onConflict((oc) =>
			oc.column('endpoint').doUpdateSet({
				user_id: userId,
				p256dh: s.p256dh,
				auth: s.auth,
				user_agent: s.user_agent,
				last_success_at: null
			})
		)
		.returning('id')
		.executeTakeFirstOrThrow();
}

export async function findSubscriptionsOfUser(db: Db, userId: number) {
	return db
		.selectFrom('push_subscription')
		.select(['id', 'endpoint', 'user_agent', 'created_at', 'last_success_at'])
		.where('user_id', '=', userId)
		.orderBy('created_at')
		.orderBy('id')
		.execute();
}

/** Deletes only when the subscription is the user's own; returns how many went (0 or 1). */
export async function deleteOwnSubscription(
	db: Db,
	userId: number,
	by: { id: number } | { endpoint: string }
): Promise<number> {
	const result = await db
		.deleteFrom('push_subscription')
		.where('user_id', '=', userId)
		.$if('id' in by, (q) => q.where('id', '=', (by as { id: number }).id))
		.$if('endpoint' in by, (q) => q.where('endpoint', '=', (by as { endpoint: string }).endpoint))
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}

/** The subscriptions of the accounts of these cases' applicants, by case. */
export async function findSubscriptionsOfCases(trx: Trx, caseIds: number[]) {
	if (caseIds.length === 0) return [];
	return trx
		.selectFrom('case')
		.innerJoin('app_user', 'app_user.applicant_id', 'case.applicant_id')
		.innerJoin('push_subscription', 'push_subscription.user_id', 'app_user.id')
		.select(['case.id as case_id', 'push_subscription.id as subscription_id'])
		.where('case.id', '=', sql<number>`any(${caseIds}::int[])`)
		.where('app_user.disabled_at', 'is', null)
		.execute();
}

/** A subscription with what a message to it needs: its keys and its account's language. */
export async function findSubscriptionForSending(db: Db, id: number) {
	return db
		.selectFrom('push_subscription')
		.innerJoin('app_user', 'app_user.id', 'push_subscription.user_id')
		.select([
			'push_subscription.id',
			'push_subscription.endpoint',
			'push_subscription.p256dh',
			'push_subscription.auth',
			'app_user.language',
			'app_user.disabled_at'
		])
		.where('push_subscription.id', '=', id)
		.executeTakeFirst();
}

export async function markSubscriptionSuccess(db: Db, id: number, at: Date): Promise<void> {
	await db
		.updateTable('push_subscription')
		.set({ last_success_at: at })
		.where('id', '=', id)
		.execute();
}

/** Removes a subscription its push service says is gone, unless it was renewed since. */
export async function deleteGoneSubscription(db: Db, id: number, endpoint: string): Promise<void> {
	await db
		.deleteFrom('push_subscription')
		.where('id', '=', id)
		.where('endpoint', '=', endpoint)
		.execute();
}
