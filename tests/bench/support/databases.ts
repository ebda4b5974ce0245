import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Db } from '../../../src/lib/server/db';
import { migrateToLatest } from '../../../src/lib/server/db/migrate';

export function benchDatabaseUrl(): string | undefined {
	return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
}

/** A fresh, migrated database on the PostgreSQL server at `serverUrl`, dropped by `drop()`. */
export async function freshPostgres(
	serverUrl: string,
	prefix: string,
	poolSize = 10
): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
	const name = `${prefix}_${randomBytes(4).toString('hex')}`;
	const admin = new pg.Client({ connectionString: serverUrl });
	await admin.connect();
	await admin.query(`create database ${name}`);
	await admin.end();
	const target = new URL(serverUrl);
	target.pathname = `/${name}`;
	const db = createDatabase({ url: target.toString(), poolSize });
	await migrateToLatest(db);
	return {
		db,
		url: target.toString(),
		async drop() {
			await db.destroy();
			const cleanup = new pg.Client({ connectionString: serverUrl });
			await cleanup.connect();
			await cleanup.query(`drop database if exists ${name} with (force)`);
			await cleanup.end();
		}
	};
}

export interface MillionOptions {
	waiting: number;
	/** Cases that left the queue over the last 26 weeks, so it has a throughput history. */
	left: number;
	now: Date;
}

/**
 * One queue (asiel assessment) with `waiting` cases spread evenly over three years of entry
 * times, plus `left` cases that left it recently; written with set-based SQL in chunks.
 */
export async function fillOneQueue(
	db: Db,
	{ waiting, left, now }: MillionOptions,
	log: (line: string) => void = console.log
): Promise<void> {
	const total = waiting + left;
	const chunk = 100_000;
	const span = 3 * 365 * 86_400;
	const nowSeconds = Math.floor(now.getTime() / 1000);
	for (let start = 1; start <= total; start += chunk) {
		const end = Math.min(total, start + chunk - 1);
		await db.transaction().execute(async (trx) => {
			await sql`
				insert into applicant (v_number, name, birth_date, language)
				select lpad((5000000000 + g)::text, 10, '0'), 'Applicant ' || g, date '1990-01-01' + (g % 9000), 'ar'
				from generate_series(${start}::int, ${end}::int) g`.execute(trx);
			await sql`
				insert into "case" (reference, applicant_id, product_code, language, submitted_at, deadline, original_deadline,
					stage_code, stage_entered_at, last_event_at)
				select 'IND-2023-' || lpad(g::text, 8, '0'), a.id, 'asiel', 'ar', t.entered - interval '30 days',
					(t.entered + interval '150 days')::date, (t.entered + interval '150 days')::date,
					'assessment', t.entered, t.entered
				from generate_series(${start}::int, ${end}::int) g
				join applicant a on a.v_number = lpad((5000000000 + g)::text, 10, '0')
				cross join lateral (select to_timestamp(${nowSeconds}::bigint - ${span}::bigint + (g::bigint * ${span}::bigint) / ${total}::bigint) as entered) t`.execute(
				trx
			);
			await sql`
				insert into queue_entry (case_id, product_code, stage_code, stream, entered_at, left_at)
				select c.id, 'asiel', 'assessment', 'normal', c.stage_entered_at,
					case when g % ${Math.max(1, Math.round(total / Math.max(1, left)))}::int = 0
						then greatest(c.stage_entered_at, to_timestamp(${nowSeconds}::bigint) - random() * interval '26 weeks')
					end
				from generate_series(${start}::int, ${end}::int) g
				join "case" c on c.reference = 'IND-2023-' || lpad(g::text, 8, '0')`.execute(trx);
		});
		log(`  ${end.toLocaleString('en')} / ${total.toLocaleString('en')} cases written`);
	}
	// As autovacuum would have by now: sets the visibility map, so counts can use index-only scans.
	await sql`vacuum analyze`.execute(db);
}
