import { sql, type Kysely } from 'kysely';

/**
 * The audit log against the app's own database role:
 * - `key_id`: which key authenticated a row (HMAC-SHA256 with AUDIT_KEY); null for rows written
 *   before, under the old unkeyed SHA-256 rule.
 * - TRUNCATE is refused (row triggers do not fire on it), and the head only moves forward, to a
 *   row that exists.
 * - On PostgreSQL, a group role `mijn_aanvraag_app` that may read and append to the audit tables
 *   but not change, delete or truncate them, and has the usual rights on everything else. The
 *   operator grants it to the app's login role; the app then is not the tables' owner, so it
 *   cannot drop or disable their triggers either. PGlite has one user: nothing to separate.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('audit_event').addColumn('key_id', 'text').execute();

	await sql`create trigger audit_event_no_truncate before truncate on audit_event
		for each statement execute function forbid_change()`.execute(db);
	await sql`create trigger audit_head_no_truncate before truncate on audit_head
		for each statement execute function forbid_change()`.execute(db);
	await sql`
		create function audit_head_forward_only() returns trigger language plpgsql set search_path = pg_catalog, public as $$
		begin
			if tg_op = 'DELETE' then
				raise exception 'audit_head is append-only' using errcode = 'P0001';
			end if;
			if tg_op = 'UPDATE' and new.last_id <= old.last_id then
				raise exception 'audit_head only moves forward' using errcode = 'P0001';
			end if;
			-- Qualified: a temporary table of the same name must not stand in for it.
			if not exists (select 1 from public.audit_event where id = new.last_id and hash = new.last_hash) then
				raise exception 'audit_head must point at an audit row' using errcode = 'P0001';
			end if;
			return new;
		end $$`.execute(db);
	await sql`create trigger audit_head_forward_only before insert or update or delete on audit_head
		for each row execute function audit_head_forward_only()`.execute(db);

	const { rows } = await sql<{ embedded: boolean }>`select version() like '%PGlite%' as embedded`.execute(db);
	if (rows[0]?.embedded) return;

	await sql`
		do $$
		begin
			if not exists (select 1 from pg_roles where rolname = 'mijn_aanvraag_app') then
				begin
					create role mijn_aanvraag_app nologin;
				exception
					-- Roles belong to the cluster: a migration of another database may have made it just now.
					when duplicate_object or unique_violation then null;
					when insufficient_privilege then
						raise notice 'Cannot create role mijn_aanvraag_app: create it (NOLOGIN) and migrate again.';
						return;
				end;
			end if;
			-- pg-boss, running as the app, creates and owns its own schema.
			execute format('grant connect, create on database %I to mijn_aanvraag_app', current_database());
			grant usage on schema public to mijn_aanvraag_app;
			grant select, insert, update, delete on all tables in schema public to mijn_aanvraag_app;
			grant usage, select, update on all sequences in schema public to mijn_aanvraag_app;
			alter default privileges in schema public grant select, insert, update, delete on tables to mijn_aanvraag_app;
			alter default privileges in schema public grant usage, select, update on sequences to mijn_aanvraag_app;
			revoke all on audit_event, audit_head from mijn_aanvraag_app;
			grant select, insert on audit_event to mijn_aanvraag_app;
			-- The head is upserted; its trigger lets it only move forward to an existing row.
			grant select, insert, update on audit_head to mijn_aanvraag_app;
			-- Read only, so that a start-up with nothing to migrate passes as the app.
			revoke insert, update, delete on kysely_migration, kysely_migration_lock from mijn_aanvraag_app;
			if exists (select 1 from pg_namespace where nspname = 'pgboss') then
				grant usage, create on schema pgboss to mijn_aanvraag_app;
				grant all on all tables in schema pgboss to mijn_aanvraag_app;
				grant all on all sequences in schema pgboss to mijn_aanvraag_app;
			end if;
		end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	const { rows } = await sql<{ has_role: boolean }>`select exists (select 1 from pg_roles where rolname = 'mijn_aanvraag_app') as has_role`.execute(db);
	if (rows[0]?.has_role) {
		await sql`revoke all on all tables in schema public from mijn_aanvraag_app`.execute(db);
		await sql`revoke all on all sequences in schema public from mijn_aanvraag_app`.execute(db);
		await sql`alter default privileges in schema public revoke all on tables from mijn_aanvraag_app`.execute(db);
		await sql`alter default privileges in schema public revoke all on sequences from mijn_aanvraag_app`.execute(db);
	}
	await sql`drop trigger audit_head_forward_only on audit_head`.execute(db);
	await sql`drop function audit_head_forward_only()`.execute(db);
	await sql`drop trigger audit_head_no_truncate on audit_head`.execute(db);
	await sql`drop trigger audit_event_no_truncate on audit_event`.execute(db);
	await db.schema.alterTable('audit_event').dropColumn('key_id').execute();
}
