import type { Db } from '$lib/server/db';
import { compiledOnce } from '$lib/server/db/compiled';
import { unexpired } from '$lib/server/db/expiry';
import { rolesColumn, signInAccountColumns } from './user.repository';

export async function insertSession(
	db: Db,
	session: {
		id: string;
		userId: number;
		now: Date;
		expiresAt: Date;
		userAgent: string | null;
	}
): Promise<void> {
	await db
		.insertInto('user_session')
		.values({
			id: session.id,
			user_id: session.userId,
			created_at: session.now,
			last_seen_at: session.now,
			expires_at: session.expiresAt,
			user_agent: session.userAgent
		})
		.execute();
}

/** A session with its account and roles, in one round trip: this runs on every request. */
const sessionWithUser = compiledOnce((db, { id }: { id: string }) =>
	db
		.selectFrom('user_session')
		.innerJoin('app_user', 'app_user.id', 'user_session.user_id')
		.select([
			'user_session.id as sessionId',
			'user_session.expires_at as expiresAt',
			'user_session.last_seen_at as lastSeenAt',
			'app_user.language'
		])
		.select((eb) => [...signInAccountColumns(eb), rolesColumn(eb)])
		.where('user_session.id', '=', id)
);

export async function findSessionWithUser(db: Db, id: string) {
	const [row] = await sessionWithUser(db, { id });
	return row;
}

export async function updateSessionSeen(
	db: Db,
	id: string,
	seen: { lastSeenAt: Date; expiresAt?: Date }
): Promise<void> {
	await db
		.updateTable('user_session')
		.set({
			last_seen_at: seen.lastSeenAt,
			...(seen.expiresAt ? { expires_at: seen.expiresAt } : {})
		})
		.where('id', '=', id)
		.execute();
}

/** Deletes one session; returns how many rows went (0 or 1). */
export async function deleteSession(db: Db, id: string): Promise<number> {
	const result = await db.deleteFrom('user_session').where('id', '=', id).executeTakeFirst();
	return Number(result.numDeletedRows);
}

export async function deleteSessionsOfUser(db: Db, userId: number): Promise<number> {
	const result = await db
		.deleteFrom('user_session')
		.where('user_id', '=', userId)
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}

export async function findLiveSessions(db: Db, userId: number, now: Date) {
	return db
		.selectFrom('user_session')
		.select(['id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent'])
		.where('user_id', '=', userId)
		.where(unexpired('user_session', now))
		.orderBy('last_seen_at', 'desc')
		.execute();
}
