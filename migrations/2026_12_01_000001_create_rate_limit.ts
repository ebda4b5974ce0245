import { sql, type Kysely } from 'kysely';

/** The login throttle grows into the one rate-limit table: any key, its own window length. */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`alter table auth_throttle rename to rate_limit`.execute(db);
	await sql`alter table rate_limit rename column failures to hits`.execute(db);
	await sql`alter table rate_limit add column resets_at timestamptz`.execute(db);
	await sql`update rate_limit set resets_at = window_start + interval '15 minutes'`.execute(db);
	await sql`alter table rate_limit alter column resets_at set not null`.execute(db);
	await sql`alter table rate_limit add constraint rate_limit_hits_positive check (hits >= 0)`.execute(db);
	await sql`create index rate_limit_resets_idx on rate_limit (resets_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop index rate_limit_resets_idx`.execute(db);
	await sql`alter table rate_limit drop constraint rate_limit_hits_positive`.execute(db);
	await sql`alter table rate_limit drop column resets_at`.execute(db);
	await sql`alter table rate_limit rename column hits to failures`.execute(db);
	await sql`alter table rate_limit rename to auth_throttle`.execute(db);
}
