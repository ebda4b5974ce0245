/**
 * The referent's list for an organisation with 10,000 sponsored cases among 1,000,000, on
 * PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL): the server time of the page's work (the
 * list, its count, the summary, the audit row) per filter combination, 200 requests each.
 *
 * Pass: the first page of every combination, and a page deep in the list, ≤ 100 ms p99; the CSV
 * export of all 10,000 rows ≤ 2 s (the slowest of 5).
 * Knobs: BENCH_REQUESTS (200), BENCH_OTHER_CASES (990,000), BENCH_SPONSORED (10,000), and
 * BENCH_KEEP_DATABASE=1 to keep the database for a closer look, BENCH_KEPT_DATABASE_URL to
 * measure on a kept one again.
 */
import { sql } from 'kysely';
import type { Principal } from '../../src/lib/server/auth/principal';
import { exportWorkspace, getWorkspace } from '../../src/lib/server/referent/workspace.service';
import { workspaceCsv } from '../../src/lib/server/referent/workspace.export';
import { workspaceQuerySchema } from '../../src/lib/server/referent/workspace.validation';
import { benchDatabaseUrl, fillOneQueue, freshPostgres } from './support/databases';
import { createDatabase, type Db } from '../../src/lib/server/db';
import { migrateToLatest } from '../../src/lib/server/db/migrate';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const OTHER = Number(process.env.BENCH_OTHER_CASES ?? 990_000);
const SPONSORED = Number(process.env.BENCH_SPONSORED ?? 10_000);
const EXPORTS = 5;
/** The bench runs outside Vite, without i18next: names are the codes, as long as real ones. */
const names = (key: string) => key;
const KVK = '90000001';
const OTHER_KVK = '90000002';
const NOW = new Date();

const referent: Principal = {
	id: 1,
	email: 'referent@bench.test',
	displayName: 'Referent',
	kind: 'referent',
	applicantId: null,
	roles: [
		{
			role: 'referent_member',
			organisationId: 1,
			organisationKvk: KVK,
			organisationName: 'Bench B.V.',
			desk: null
		}
	]
};

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * `count` kennismigrant cases sponsored by `kvk`, submitted over the last 150 days: a fifth
 * being registered, two fifths waiting for assessment (in the queue; a tenth of them asked for
 * missing documents instead), a tenth with an open hearing invitation, the rest decided.
 */
async function fillSponsored(db: Db, kvk: string, count: number, offset: number) {
	const now = Math.floor(NOW.getTime() / 1000);
	await db.transaction().execute(async (trx) => {
		await sql`
			insert into applicant (v_number, name, birth_date, language)
			select lpad((7000000000 + ${offset}::int + g)::text, 10, '0'),
				(array['Jansen','Mehta','Kaya','Haddad','Novak','Okafor','Petrova','Yilmaz'])[g % 8 + 1] || ' ' || g,
				date '1985-01-01' + (g % 9000), 'en'
			from generate_series(1, ${count}::int) g`.execute(trx);
		await sql`
			insert into "case" (reference, applicant_id, product_code, sponsor_kvk, language, submitted_at, deadline,
				original_deadline, stage_code, stage_entered_at, status, outcome, last_event_at)
			select 'IND-2026-' || lpad((${offset}::int + g)::text, 8, '0'), a.id, 'kennismigrant', ${kvk}, 'en', t.at,
				(t.at + interval '90 days')::date, (t.at + interval '90 days')::date,
				case when g % 5 = 0 then 'application' when g % 5 in (1, 2) then 'assessment' else 'decision' end,
				t.at + interval '3 days',
				case when g % 5 in (3, 4) then 'decided' else 'open' end::case_status,
				case when g % 5 in (3, 4) then 'granted' end,
				t.at + interval '3 days'
			from generate_series(1, ${count}::int) g
			join applicant a on a.v_number = lpad((7000000000 + ${offset}::int + g)::text, 10, '0')
			cross join lateral (select to_timestamp(${now}::bigint - (g::bigint * 150 * 86400) / ${count}::bigint) as at) t`.execute(
			trx
		);
		// One in ten of those waiting is asked for missing documents instead (herstel verzuim).
		await sql`
			with asked as (
				update "case" set stage_code = 'missing_documents', stage_entered_at = stage_entered_at + interval '10 days'
				where sponsor_kvk = ${kvk} and stage_code = 'assessment' and id % 10 = 1
				returning id, stage_entered_at
			),
			event as (
				insert into case_event (id, case_id, type, occurred_at, data)
				select gen_random_uuid(), id, 'case.documents_requested', stage_entered_at,
					'{"missing":["passport","employment_contract"],"before":"2026-12-20"}'::jsonb
				from asked
				returning id, case_id, occurred_at
			)
			insert into document_request (case_id, event_id, missing, send_before, requested_at)
			select case_id, id, array['passport', 'employment_contract'], date '2026-12-20', occurred_at
			from event`.execute(trx);
		await sql`
			insert into queue_entry (case_id, product_code, stage_code, stream, entered_at)
			select id, product_code, stage_code, 'normal', stage_entered_at from "case"
			where sponsor_kvk = ${kvk} and stage_code = 'assessment'`.execute(trx);
		await sql`
			insert into hearing_invitation (case_id, kind, book_before, locations)
			select id, 'biometrics', (now() + interval '20 days')::date, array['DH']
			from "case" where sponsor_kvk = ${kvk} and status = 'open' and id % 10 = 0`.execute(trx);
	});
}

async function fill(db: Db) {
	console.log(`Writing ${OTHER.toLocaleString('en')} other cases…`);
	const waiting = Math.round(OTHER * 0.9);
	await fillOneQueue(db, { waiting, left: OTHER - waiting, now: NOW }, () => {});
	console.log(
		`Writing ${SPONSORED.toLocaleString('en')} sponsored cases, and as many of another sponsor…`
	);
	await fillSponsored(db, KVK, SPONSORED, 0);
	await fillSponsored(db, OTHER_KVK, SPONSORED, SPONSORED);
	await sql`vacuum analyze`.execute(db);
}

export default async function run(): Promise<void> {
	const url = benchDatabaseUrl();
	if (!url) {
		console.log(
			'The referent bench needs PostgreSQL: set BENCH_DATABASE_URL (or TEST_DATABASE_URL).'
		);
		console.log(`RESULT ${JSON.stringify({ skipped: 'no PostgreSQL' })}`);
		return;
	}
	const kept = process.env.BENCH_KEPT_DATABASE_URL;
	const handle = kept
		? { db: createDatabase({ url: kept, poolSize: 4 }), url: kept, drop: async () => {} }
		: await freshPostgres(url, 'bench_referent', 4);
	const { db } = handle;
	try {
		if (kept) await migrateToLatest(db);
		else await fill(db);
		const { rows } = await sql<{ n: number }>`select count(*)::int as n from "case"`.execute(db);
		console.log(`${rows[0].n.toLocaleString('en')} cases in all`);

		const query = (params: Record<string, string>) => workspaceQuerySchema.parse(params);
		// A page deep in the list: the cursor of the 9,000th row by deadline.
		const deep = await sql<{ closed: boolean; deadline: string; id: number }>`
			select (status <> 'open') as closed, deadline::text as deadline, id from "case"
			where sponsor_kvk = ${KVK} order by (status <> 'open'), deadline, id offset 9000 limit 1`.execute(
			db
		);
		const after = Buffer.from(
			JSON.stringify([deep.rows[0].closed, deep.rows[0].deadline, deep.rows[0].id])
		).toString('base64url');
		const combinations: Record<string, Record<string, string>> = {
			none: {},
			search: { q: 'mehta' },
			searchVNumber: { q: '7000000123' },
			product: { product: 'kennismigrant' },
			stage: { stage: 'assessment' },
			needsAction: { action: '1' },
			deadlineSoon: { deadline: 'soon' },
			deadlinePassed: { deadline: 'passed' },
			decidedRecently: { decided: '1' },
			needsActionDeadlineSoon: { action: '1', deadline: 'soon' },
			productStageName: { product: 'kennismigrant', stage: 'assessment', q: 'kaya' },
			sortSubmitted: { sort: 'submitted' },
			sortStage: { sort: 'stage' },
			deepPage: { after }
		};
		const results: Record<string, { rows: number; total: number; p50Ms: number; p99Ms: number }> =
			{};
		for (const [name, params] of Object.entries(combinations)) {
			const q = query(params);
			for (let i = 0; i < 10; i += 1) await getWorkspace(db, referent, q, null, NOW);
			const times: number[] = [];
			let page = await getWorkspace(db, referent, q, null, NOW);
			for (let i = 0; i < REQUESTS; i += 1) {
				const started = performance.now();
				page = await getWorkspace(db, referent, q, null, NOW);
				times.push(performance.now() - started);
			}
			times.sort((a, b) => a - b);
			results[name] = {
				rows: page.rows.length,
				total: page.total,
				p50Ms: Number(percentile(times, 50).toFixed(1)),
				p99Ms: Number(percentile(times, 99).toFixed(1))
			};
			console.log(
				`${name.padEnd(24)} ${String(page.total).padStart(6)} found, ${page.rows.length} shown: p50 ${results[name].p50Ms} ms, p99 ${results[name].p99Ms} ms`
			);
		}
		// The export of every row, as the route streams it: batches read and written as CSV.
		const exportTimes: number[] = [];
		let exported = { rows: 0, bytes: 0 };
		for (let i = 0; i < EXPORTS; i += 1) {
			const started = performance.now();
			let rowCount = 0;
			let bytes = 0;
			let first = true;
			for await (const batch of exportWorkspace(db, referent, query({}), null, NOW)) {
				bytes += Buffer.byteLength(workspaceCsv(batch, names, first));
				first = false;
				rowCount += batch.length;
			}
			exportTimes.push(performance.now() - started);
			exported = { rows: rowCount, bytes };
		}
		exportTimes.sort((a, b) => a - b);
		const csvExportMs = Number(exportTimes.at(-1)!.toFixed(0));
		console.log(
			`CSV export: ${exported.rows} rows, ${(exported.bytes / 1e6).toFixed(1)} MB: slowest of ${EXPORTS} ${csvExportMs} ms, fastest ${exportTimes[0].toFixed(0)} ms`
		);
		const worst = Math.max(...Object.values(results).map((r) => r.p99Ms));
		console.log(
			`RESULT ${JSON.stringify({
				cases: rows[0].n,
				sponsored: SPONSORED,
				requests: REQUESTS,
				listP99MsWorst: worst,
				listP99Ms: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.p99Ms])),
				csvExportMs,
				csvExportRows: exported.rows,
				pass: worst <= 100 && csvExportMs <= 2000 && exported.rows === SPONSORED
			})}`
		);
	} finally {
		if (process.env.BENCH_KEEP_DATABASE || kept) {
			console.log(`Kept: ${handle.url}`);
			await db.destroy();
		} else await handle.drop();
	}
}
