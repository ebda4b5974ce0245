import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
	INDEX_FILE,
	MIGRATIONS_DIR,
	migrationNames,
	renderMigrationIndex
} from '../../../src/cli/migration-index';
import { migrations } from '$lib/server/db/migrations.generated';
import * as repair from '../../../migrations/2026_12_01_000040_repair_edited_migrations';
import { describeEachEngine } from '../helpers/engines';
import type { Db } from '$lib/server/db';

/**
 * Each landed migration's SHA-256. A landed migration is never edited (databases that ran it would
 * keep the old version): a repair comes as a new migration. Add a line here when yours lands.
 */
const LANDED: Record<string, string> = {
	'2026_11_23_000001_create_case_domain':
		'0889086099d1d4901ba6bb5230192d4dd4aa41a571343e6585e273093df58cba',
	'2026_11_23_000002_insert_products':
		'd99c9134d286f49e2163d2bcb3082d9aadd1b391d9152393c440a20c78602e5a',
	'2026_11_23_000003_create_accounts':
		'27934eb2a628c419c8478342076bafbfbeb7afdbd89883238eb265eb2ac914dc',
	'2026_11_23_000004_create_queue_day_count':
		'5171d12e5ac9038ea5e3355e9c183ffb9a6383d635859c1798a457c389bb5ec3',
	'2026_12_01_000001_create_rate_limit':
		'9a2aaf5a607ef6647e9540cb2dd4a61abb2506628fb97b47608bc393a4749999',
	'2026_12_01_000010_create_second_factor':
		'67892765a68134e7ba37f46b04ddcb14d7d582f299ed18aa483c231aa2647fe8',
	'2026_12_01_000020_protect_audit_log':
		'c9199e9f4783f75ffc9acf4a13adab92acab850a31a1ce0499b29ec23587334c',
	'2026_12_01_000031_add_api_key_scopes':
		'24b6f26f19af78e3ed6474ee7b4f86c2cccd2d7e855d5202637b28ed1d164d52',
	'2026_12_01_000040_repair_edited_migrations':
		'05ce677bb4b37c719cc580fc58d00b13bc8f29603e2191896d62d82fef1a7160',
	'2026_12_02_000001_create_planner':
		'92428a3fa5b6a08d8fd131b1ebc92d2c0d33635fe42a7fabc84abfb411021ce5',
	'2026_12_02_000010_create_audit_pending':
		'83ca624402c114592c46eb6f923967177b14ec52aaf1598bd4ec1d70a4eb3d0b',
	'2026_12_02_000020_order_change_feed_at_commit':
		'45089ab3bb4d9560050b2a4e05488b6040f78e041932941425bd1206192f07c8',
	'2026_12_02_000100_create_triage':
		'5c5abe0915f716f7494151df884b681ef33cb9695e397b7204d50bbac7862739',
	'2026_12_02_000110_create_triage_returned_proposal':
		'343786a361224747ce48a09e7e0bec21c0962574abaa4047aab2f094c5a0b275',
	'2026_12_03_000010_notify_session_changes':
		'ba7e266d3ba379795ea9e555c88ed47ed6a78c789dd2ae34b54e1f7fcf8df33a',
	'2026_12_03_000300_create_push':
		'76ff5fcd5e67db01ac7aa35b0a0ab6bbf15d61a0c1be795e3bf3ec9b7089d0fa',
	'2026_12_03_000400_create_case_estimate_seen':
		'9dfc7e815c8e0a1dddc38e9d4a77b53f10fd56eb202d3d36925c2b66ddaec9cd',
	'2026_12_03_000500_index_sponsored_cases':
		'c8ff7e299dcb1fe317c5b36b7c05e85eff4328caf0d9c9901a1428d25fa7f91e',
	'2026_12_03_000600_create_referent_members':
		'05a4ce8644997256a49b4611157dde60d0ad1dcb4b1b395ac9806b5e84b1ef40',
	'2026_12_03_000700_add_documents_requested':
		'fa7f64edd6f21c5cabbf5c47b664de120ab43159583dd5a674b0565919c39e1e',
	'2026_12_03_000800_create_referent_digest':
		'f5ca119e06d1ad5d1a80295ccec100e9da985f5dfaca662c5df1a96586c9cc03',
	'2026_12_04_000100_create_queue_month_and_hour_counts':
		'43515a85f13a540aee74709b716fe65e4aced324b3e154c2cb29500f08af7635'
};

describe('migrations', () => {
	it('are found in the folder: the generated index matches it (else run `npm run db:index`)', () => {
		expect(readFileSync(INDEX_FILE, 'utf8')).toBe(renderMigrationIndex(migrationNames()));
		expect(Object.keys(migrations)).toEqual(migrationNames());
		expect(Object.values(migrations).every((m) => typeof m.up === 'function')).toBe(true);
	});

	it('are never edited once landed', () => {
		const changed = migrationNames()
			.map((name) => {
				const text = readFileSync(join(MIGRATIONS_DIR, `${name}.ts`), 'utf8').replace(
					/\r\n/g,
					'\n'
				);
				return { name, hash: createHash('sha256').update(text).digest('hex') };
			})
			.filter(({ name, hash }) => LANDED[name] !== hash)
			.map(({ name }) => name);
		expect(changed).toEqual([]);
	});
});

async function triggerFunctions(db: Db): Promise<string[]> {
	const rows = await sql<{ fn: string }>`
		select distinct p.proname as fn from pg_trigger t join pg_proc p on p.oid = t.tgfoid
		where t.tgrelid = 'queue_entry'::regclass and t.tgname like 'queue_day_count_%'`.execute(db);
	return rows.rows.map((r) => r.fn).sort();
}

async function leftIndex(db: Db): Promise<string> {
	const row = await sql<{
		def: string;
	}>`select pg_get_indexdef('queue_entry_left_idx'::regclass) as def`.execute(db);
	return row.rows[0].def;
}

describeEachEngine('the repair of the edited migrations', ({ db }) => {
	it('brings a database that ran the first versions to what the edited files create', async () => {
		// What a database migrated before the edits holds: the index without INCLUDE and three
		// trigger functions (their bodies from the first version of 2026_11_23_000004).
		await db()
			.transaction()
			.execute(async (trx) => {
				await sql`drop index queue_entry_left_idx`.execute(trx);
				await sql`create index queue_entry_left_idx on queue_entry (product_code, stage_code, left_at) where left_at is not null`.execute(
					trx
				);
				for (const [op, rows, n] of [
					['insert', 'new_rows', 1],
					['delete', 'old_rows', -1]
				] as const) {
					await sql`
						create function ${sql.raw(`queue_day_count_on_${op}`)}() returns trigger language plpgsql as $$
						begin
							perform apply_queue_day_delta(coalesce((
								select jsonb_agg(jsonb_build_object('product_code', product_code, 'stage_code', stage_code, 'stream', stream,
									'day', (entered_at at time zone 'UTC')::date, 'n', ${sql.raw(String(n))}))
								from ${sql.raw(rows)} where left_at is null), '[]'));
							return null;
						end $$`.execute(trx);
				}
				await sql`
					create function queue_day_count_on_update() returns trigger language plpgsql as $$
					begin
						perform apply_queue_day_delta(coalesce((
							select jsonb_agg(x) from (
								select jsonb_build_object('product_code', product_code, 'stage_code', stage_code, 'stream', stream,
									'day', (entered_at at time zone 'UTC')::date, 'n', -1) as x
								from old_rows where left_at is null
								union all
								select jsonb_build_object('product_code', product_code, 'stage_code', stage_code, 'stream', stream,
									'day', (entered_at at time zone 'UTC')::date, 'n', 1)
								from new_rows where left_at is null) changes), '[]'));
						return null;
					end $$`.execute(trx);
				for (const op of ['insert', 'update', 'delete']) {
					const refs =
						op === 'insert'
							? 'new table as new_rows'
							: op === 'delete'
								? 'old table as old_rows'
								: 'old table as old_rows new table as new_rows';
					await sql`drop trigger ${sql.raw(`queue_day_count_${op}`)} on queue_entry`.execute(trx);
					await sql`create trigger ${sql.raw(`queue_day_count_${op}`)} after ${sql.raw(op)} on queue_entry
						referencing ${sql.raw(refs)} for each statement execute function ${sql.raw(`queue_day_count_on_${op}`)}()`.execute(
						trx
					);
				}
				await sql`drop function queue_day_count_on_change()`.execute(trx);
			});
		expect(await leftIndex(db())).not.toMatch(/INCLUDE/i);
		expect(await triggerFunctions(db())).toEqual([
			'queue_day_count_on_delete',
			'queue_day_count_on_insert',
			'queue_day_count_on_update'
		]);

		await db()
			.transaction()
			.execute((trx) => repair.up(trx));

		expect(await leftIndex(db())).toMatch(/INCLUDE \(entered_at\)/i);
		expect(await triggerFunctions(db())).toEqual(['queue_day_count_on_change']);
		const leftovers = await sql<{ n: number }>`select count(*)::int as n from pg_proc
			where proname in ('queue_day_count_on_insert', 'queue_day_count_on_update', 'queue_day_count_on_delete')`.execute(
			db()
		);
		expect(leftovers.rows[0].n).toBe(0);

		// And it changes nothing when run on a database that is already current.
		await db()
			.transaction()
			.execute((trx) => repair.up(trx));
		expect(await triggerFunctions(db())).toEqual(['queue_day_count_on_change']);
	});
});
