import type { ExpressionBuilder } from 'kysely';
import type { Database } from './schema';

/*
 * How long a row counts, in one place. A row with `expires_at` (a session, a pending sign-in, a
 * reset link, an activation code) counts until that instant and has expired from it on; sweeps
 * delete what has expired. A secret that works once (a reset link, an activation code, a recovery
 * code) also has `used_at`, set by the one request that uses it.
 */

type TablesWith<Column extends string> = {
	[T in keyof Database]: Column extends keyof Database[T] ? T : never;
}[keyof Database];

/** Tables whose rows expire at `expires_at`. */
export type Expiring = TablesWith<'expires_at'>;

/** Tables of secrets that work once: using one sets `used_at`. */
export type WorksOnce = TablesWith<'used_at'>;

/** Tables of secrets that expire and work once. */
export type SingleUse = Expiring & WorksOnce;

// For a table named by a type parameter Kysely cannot work out the column's type; it is a Date.
function expiresAt<T extends Expiring>(eb: ExpressionBuilder<Database, T>, table: T) {
	return eb.ref(`${table}.expires_at`).$castTo<Date>();
}

/** Rows of `table` that have not expired at `now`. */
export function unexpired<T extends Expiring>(table: T, now: Date) {
	return (eb: ExpressionBuilder<Database, T>) => eb(expiresAt(eb, table), '>', now);
}

/** Rows of `table` that have expired at `now`: what `unexpired` leaves out. */
export function expired<T extends Expiring>(table: T, now: Date) {
	return (eb: ExpressionBuilder<Database, T>) => eb(expiresAt(eb, table), '<=', now);
}

/** Secrets of `table` that nobody has used yet, whether or not they have expired. */
export function unused<T extends WorksOnce>(table: T) {
	return (eb: ExpressionBuilder<Database, T>) => eb(`${table}.used_at`, 'is', null);
}

/** Secrets of `table` that still work at `now`: unused and unexpired. */
export function live<T extends SingleUse>(table: T, now: Date) {
	return (eb: ExpressionBuilder<Database, T>) =>
		eb.and([unused(table)(eb), unexpired(table, now)(eb)]);
}

/** Secrets of `table` that no longer work at `now`, for sweeps: used or expired. */
export function spent<T extends SingleUse>(table: T, now: Date) {
	return (eb: ExpressionBuilder<Database, T>) =>
		eb.or([eb(`${table}.used_at`, 'is not', null), expired(table, now)(eb)]);
}
