import { sql, type Kysely } from 'kysely';

/**
 * App servers keep sessions they have checked in memory, and forget one the moment PostgreSQL says
 * it changed. Triggers say it, so that no way of ending a session or changing an account (a page,
 * a command, housekeeping, a hand-written statement) can forget to.
 * Payload: `s:<session id>` for one session, `u:<user id>` for every session of an account, `*` for all.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
		create function notify_session_ended() returns trigger language plpgsql as $$
		begin
			perform pg_notify('session_changed', 's:' || old.id);
			return null;
		end $$`.execute(db);
	await sql`
		create function notify_account_changed() returns trigger language plpgsql as $$
		begin
			perform pg_notify('session_changed', 'u:' || coalesce(new.user_id, old.user_id));
			return null;
		end $$`.execute(db);
	await sql`
		create function notify_user_changed() returns trigger language plpgsql as $$
		begin
			perform pg_notify('session_changed', 'u:' || coalesce(new.id, old.id));
			return null;
		end $$`.execute(db);
	await sql`
		create function notify_all_sessions_changed() returns trigger language plpgsql as $$
		begin
			perform pg_notify('session_changed', '*');
			return null;
		end $$`.execute(db);
	await sql`create trigger user_session_ended after delete on user_session
		for each row execute function notify_session_ended()`.execute(db);
	await sql`create trigger app_user_changed after update or delete on app_user
		for each row execute function notify_user_changed()`.execute(db);
	await sql`create trigger user_role_changed after insert or update or delete on user_role
		for each row execute function notify_account_changed()`.execute(db);
	await sql`create trigger user_totp_changed after insert or update or delete on user_totp
		for each row execute function notify_account_changed()`.execute(db);
	// An organisation's name and KvK number travel with its members' roles.
	await sql`create trigger organisation_changed after update on organisation
		for each statement execute function notify_all_sessions_changed()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop trigger organisation_changed on organisation`.execute(db);
	await sql`drop trigger user_totp_changed on user_totp`.execute(db);
	await sql`drop trigger user_role_changed on user_role`.execute(db);
	await sql`drop trigger app_user_changed on app_user`.execute(db);
	await sql`drop trigger user_session_ended on user_session`.execute(db);
	await sql`drop function notify_all_sessions_changed()`.execute(db);
	await sql`drop function notify_user_changed()`.execute(db);
	await sql`drop function notify_account_changed()`.execute(db);
	await sql`drop function notify_session_ended()`.execute(db);
}
