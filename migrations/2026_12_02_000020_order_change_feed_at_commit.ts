import { sql, type Kysely } from 'kysely';

/**
 * The change feed's order is drawn at commit. Before, every writer took one advisory lock in its
 * insert and held it until commit, so that ids became visible in order; a rush of bookings queued
 * on that lock across each booking's last round trips. Now a deferred trigger takes the lock and
 * numbers the transaction's rows (`seq`) as the transaction commits, inside PostgreSQL: the lock
 * is held only for the commit itself, and is released after the commit is visible, so a reader
 * reading `seq > cursor` still skips nothing. The feed is in commit order; `id` stays the row's
 * identity. Rows written before keep their id as their place.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`alter table case_change add column seq bigint`.execute(db);
	await sql`update case_change set seq = id`.execute(db);
	await sql`create sequence case_change_seq`.execute(db);
	await sql`select setval('case_change_seq', coalesce((select max(id) from case_change), 0) + 1, false)`.execute(db);
	await sql`create unique index case_change_seq_key on case_change (seq)`.execute(db);
	await sql`
		create function case_change_number() returns trigger language plpgsql as $$
		begin
			perform pg_advisory_xact_lock(7202612020001);
			update case_change set seq = nextval('case_change_seq') where id = new.id;
			return null;
		end $$`.execute(db);
	await sql`
		create constraint trigger case_change_number after insert on case_change
		deferrable initially deferred for each row execute function case_change_number()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop trigger case_change_number on case_change`.execute(db);
	await sql`drop function case_change_number()`.execute(db);
	await sql`alter table case_change drop column seq`.execute(db);
	await sql`drop sequence case_change_seq`.execute(db);
}
