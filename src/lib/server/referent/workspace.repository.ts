import {
	sql,
	type Expression,
	type ExpressionBuilder,
	type JoinBuilder,
	type SqlBool
} from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { QueueStream } from '$lib/server/db/schema';
import type { IsoDate } from '$lib/time';
import { positionColumn } from '$lib/server/queue/queue.repository';
import {
	NEVER_SPONSORED,
	openDocumentRequest,
	type OpenDocumentRequest
} from '$lib/server/cases/case.repository';
import type { WorkspaceSort } from './workspace.validation';

type CaseScope = ExpressionBuilder<Database, 'case'>;

/** The join of a case to its stage. */
function caseStage(join: JoinBuilder<Database, 'case' | 'stage'>) {
	return join
		.onRef('stage.product_code', '=', 'case.product_code')
		.onRef('stage.code', '=', 'case.stage_code');
}

export interface WorkspaceFilter {
	kvks: string[];
	search?: string;
	product?: string;
	stage?: string;
	action?: boolean;
	deadline?: 'soon' | 'passed';
	decided?: boolean;
	/** Today and the days the filters count from, in Dutch dates. */
	today: IsoDate;
	soonUntil: IsoDate;
	decidedSince: Date;
}

/** `%`, `_` and `\` typed in a search box are literal characters, not ILIKE wildcards. */
function escapeLike(text: string): string {
	return text.replace(/[\\%_]/g, '\\$&');
}

/**
 * The case waits for the applicant or the sponsor: a hearing invitation not yet booked, or an
 * open request for documents.
 */
function needsAction(eb: CaseScope) {
	// `in`, not `exists`: over many cases (the summary, the filter) PostgreSQL then reads each
	// partial index of open rows once into a hash, where `exists` probed it once per case.
	return eb.or([
		eb(
			'case.id',
			'in',
			eb
				.selectFrom('hearing_invitation')
				.select('hearing_invitation.case_id')
				.where('hearing_invitation.status', '=', 'open')
		),
		eb(
			'case.id',
			'in',
			eb
				.selectFrom('document_request')
				.select('document_request.case_id')
				.where('document_request.resolved_at', 'is', null)
		)
	]);
}

/**
 * The search box takes a name, a V-number or a reference, whole or in part; what it holds says
 * which. A whole V-number is one look-up in its unique index and a reference reads no applicant;
 * a part of a name or number is checked against each of the organisation's cases.
 */
function matchesSearch(eb: CaseScope, search: string): Expression<SqlBool> {
	const term = search.trim();
	if (/^\d{10}$/.test(term))
		return eb(
			'case.applicant_id',
			'in',
			eb.selectFrom('applicant').select('applicant.id').where('applicant.v_number', '=', term)
		);
	const pattern = `%${escapeLike(term)}%`;
	// A reference, or its start: no name holds one.
	if (/^IND-\d{4}-\d*$/i.test(term)) return eb('case.reference', 'ilike', pattern);
	const applicantWhere = (
		where: (a: ExpressionBuilder<Database, 'applicant'>) => Expression<SqlBool>
	) =>
		eb.exists(
			eb
				.selectFrom('applicant')
				.select(sql`1`.as('one'))
				.whereRef('applicant.id', '=', 'case.applicant_id')
				.where(where)
		);
	// Digits: part of a V-number or a reference number. Anything else: part of a name.
	if (/^\d+$/.test(term))
		return eb.or([
			eb('case.reference', 'like', pattern),
			applicantWhere((a) => a('applicant.v_number', 'like', pattern))
		]);
	return applicantWhere((a) => a('applicant.name', 'ilike', pattern));
}

/** The organisations' cases; never an asylum case, whatever the data says. */
function sponsoredBy(db: Db, kvks: string[]) {
	return db
		.selectFrom('case')
		.where('case.sponsor_kvk', 'in', kvks.length ? kvks : ['-'])
		.where('case.product_code', 'not in', NEVER_SPONSORED);
}

/**
 * The filtered list, on "case" alone: its index holds the organisation's cases in deadline order
 * with every column the filters read. The applicant is read only for a search, and only for the
 * organisation's cases.
 */
function filtered(db: Db, f: WorkspaceFilter) {
	return sponsoredBy(db, f.kvks).where((eb) => {
		const all: Expression<SqlBool>[] = [];
		if (f.search) all.push(matchesSearch(eb, f.search));
		if (f.product) all.push(eb('case.product_code', '=', f.product));
		if (f.stage) all.push(eb('case.stage_code', '=', f.stage));
		if (f.action) all.push(eb.and([eb('case.status', '=', 'open'), needsAction(eb)]));
		if (f.deadline === 'soon')
			all.push(
				eb.and([
					eb('case.status', '=', 'open'),
					eb('case.deadline', '>=', f.today),
					eb('case.deadline', '<=', f.soonUntil)
				])
			);
		if (f.deadline === 'passed')
			all.push(eb.and([eb('case.status', '=', 'open'), eb('case.deadline', '<', f.today)]));
		if (f.decided)
			all.push(
				eb.and([
					eb('case.status', '=', 'decided'),
					eb('case.stage_entered_at', '>=', f.decidedSince)
				])
			);
		return eb.and(all);
	});
}

/**
 * Each sort's key, the last part always the case id so that the order is total. By deadline,
 * open cases come first; decided ones keep the deadline they had.
 */
const SORT_KEYS: Record<WorkspaceSort, { columns: ReturnType<typeof sql>[]; descending: boolean }> =
	{
		deadline: {
			columns: [sql`("case".status <> 'open')`, sql`"case".deadline`, sql`"case".id`],
			descending: false
		},
		submitted: { columns: [sql`"case".submitted_at`, sql`"case".id`], descending: true },
		stage: {
			columns: [sql`stage.position`, sql`"case".deadline`, sql`"case".id`],
			descending: false
		}
	};

export type SortKey = (string | number | boolean)[];

export interface PageRequest {
	sort: WorkspaceSort;
	/** Rows after this key in the sort order, or before it (a previous page). */
	after?: SortKey;
	before?: SortKey;
	limit: number;
	/** Each waiting case's place, a count per case; the export ranks the queues once instead. */
	positions?: boolean;
}

/**
 * One page of the filtered list, by keyset: the rows after (or before) a sort key, so that a page
 * deep in the list costs what the first one does. One row more than asked says whether another
 * page follows.
 */
export async function findWorkspacePage(db: Db, f: WorkspaceFilter, page: PageRequest) {
	const { columns, descending } = SORT_KEYS[page.sort];
	const backwards = page.before !== undefined;
	const key = page.before ?? page.after;
	const forwardDescending = backwards ? !descending : descending;
	const direction = sql.raw(forwardDescending ? 'desc' : 'asc');
	const tuple = sql.join(columns);
	const base = filtered(db, f);
	// By stage, the key's first part is the stage's place in its product; a join per case
	// that PostgreSQL memoises, where a subquery per case doubled the time.
	const ordered =
		page.sort === 'stage' ? (base.innerJoin('stage', caseStage) as unknown as typeof base) : base;
	const keys = await ordered
		.$if(key !== undefined && key.length === columns.length, (q) =>
			q.where(
				sql<SqlBool>`(${tuple}) ${sql.raw(forwardDescending ? '<' : '>')} (${sql.join(
					key!.map((v) => sql`${v}`)
				)})`
			)
		)
		.select('case.id')
		.orderBy(sql`${sql.join(columns.map((c) => sql`${c} ${direction}`))}`)
		.limit(page.limit + 1)
		.execute();
	const ids = keys.map((k) => k.id);
	const details =
		ids.length === 0
			? []
			: await db
					.selectFrom('case')
					.innerJoin('applicant', 'applicant.id', 'case.applicant_id')
					.innerJoin('stage', caseStage)
					.select([
						'case.id',
						'case.reference',
						'case.product_code',
						'case.stage_code',
						'case.status',
						'case.outcome',
						'case.submitted_at',
						'case.deadline',
						'case.stage_entered_at',
						'stage.kind as stage_kind',
						'stage.position as stage_position',
						'applicant.name as applicant_name',
						'applicant.v_number'
					])
					.select((eb) => [
						needsAction(eb).as('needs_action'),
						openDocumentRequest(eb).as('document_request'),
						sql<boolean>`("case".status <> 'open')`.as('closed')
					])
					.where('case.id', '=', sql<number>`any(${ids}::int[])`)
					.execute();
	const byId = new Map(details.map((d) => [d.id, d]));
	const rows = ids.map((id) => byId.get(id)!).filter(Boolean);
	const more = rows.length > page.limit;
	const shown = rows.slice(0, page.limit);
	if (backwards) shown.reverse();
	const positions =
		page.positions === false
			? new Map()
			: await positionsOf(
					db,
					shown.filter((r) => r.status === 'open' && r.stage_kind === 'queue').map((r) => r.id)
				);
	return {
		rows: shown.map((r) => ({
			...r,
			document_request: r.document_request as OpenDocumentRequest | null,
			position: positions.get(r.id) ?? null,
			key: sortKeyOf(page.sort, r)
		})),
		/** Rows lie beyond the page in the direction it was read. */
		more
	};
}

function sortKeyOf(
	sort: WorkspaceSort,
	r: { id: number; closed: boolean; deadline: string; submitted_at: Date; stage_position: number }
): SortKey {
	if (sort === 'submitted') return [r.submitted_at.toISOString(), r.id];
	if (sort === 'stage') return [r.stage_position, r.deadline, r.id];
	return [r.closed, r.deadline, r.id];
}

/** Queue positions of the page's waiting cases, in one round trip. */
async function positionsOf(db: Db, caseIds: number[]) {
	if (caseIds.length === 0) return new Map();
	const rows = await db
		.selectFrom(sql<{ id: number }>`(select unnest(${caseIds}::int[]) as id)`.as('c'))
		.select(['c.id', positionColumn(sql.ref('c.id')).as('position')])
		.execute();
	return new Map(rows.map((r) => [r.id, r.position]));
}

export async function countWorkspace(db: Db, f: WorkspaceFilter): Promise<number> {
	const row = await filtered(db, f)
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

/**
 * The summary above the list, over all of the organisation's cases: open cases per stage, and
 * how many need action, are near or past their deadline, or were decided lately.
 */
export async function findWorkspaceSummary(db: Db, f: WorkspaceFilter) {
	const counts = sponsoredBy(db, f.kvks)
		.select((eb) => [
			'case.product_code',
			'case.stage_code',
			sql<number>`count(*) filter (where "case".status = 'open')::int`.as('open'),
			sql<number>`count(*) filter (where "case".status = 'open' and ${needsAction(eb)})::int`.as(
				'needs_action'
			),
			sql<number>`count(*) filter (where "case".status = 'open' and "case".deadline between ${f.today} and ${f.soonUntil})::int`.as(
				'deadline_soon'
			),
			sql<number>`count(*) filter (where "case".status = 'open' and "case".deadline < ${f.today})::int`.as(
				'deadline_passed'
			),
			sql<number>`count(*) filter (where "case".status = 'decided' and "case".stage_entered_at >= ${f.decidedSince})::int`.as(
				'decided_recently'
			),
			sql<number>`count(*)::int`.as('all')
		])
		.groupBy(['case.product_code', 'case.stage_code']);
	// The stages joined after counting: a few groups, not every case.
	return db
		.selectFrom(counts.as('c'))
		.innerJoin('stage', (join) =>
			join
				.onRef('stage.product_code', '=', 'c.product_code')
				.onRef('stage.code', '=', 'c.stage_code')
		)
		.selectAll('c')
		.orderBy('c.product_code')
		.orderBy('stage.position')
		.execute();
}

/**
 * Every waiting case of the organisations with its place in its queue, as `positionColumn`
 * counts it (those ahead in its stream, and for the normal stream every priority case): each
 * queue they wait in ranked once, rather than a count per case.
 */
export async function findQueuePlaces(db: Db, kvks: string[]) {
	const { rows } = await sql<{
		case_id: number;
		stream: QueueStream;
		ahead: number;
		waiting: number;
	}>`
		with mine as (
			select q.id, q.case_id, q.product_code, q.stage_code, q.stream
			from queue_entry q join "case" c on c.id = q.case_id
			where c.sponsor_kvk = any(${kvks}::text[]) and q.left_at is null
		),
		ranked as (
			select q.id,
				row_number() over (partition by q.product_code, q.stage_code, q.stream order by q.entered_at, q.id) - 1 as before,
				count(*) over (partition by q.product_code, q.stage_code) as waiting,
				count(*) filter (where q.stream = 'priority') over (partition by q.product_code, q.stage_code) as priority
			from queue_entry q
			where q.left_at is null
				and (q.product_code, q.stage_code) in (select distinct product_code, stage_code from mine)
		)
		select m.case_id, m.stream,
			(r.before + case when m.stream = 'normal' then r.priority else 0 end)::int as ahead,
			r.waiting::int as waiting
		from mine m join ranked r on r.id = m.id`.execute(db);
	return new Map(rows.map((r) => [r.case_id, r]));
}

/** The case's open request for documents, if any. */
export async function findOpenDocumentRequest(
	db: Db,
	caseId: number
): Promise<OpenDocumentRequest | null> {
	const row = await db
		.selectFrom('case')
		.select((eb) => openDocumentRequest(eb).as('request'))
		.where('case.id', '=', caseId)
		.executeTakeFirst();
	return (row?.request as OpenDocumentRequest | null) ?? null;
}

/** The case waits for its applicant to book a hearing. */
export async function hasOpenInvitation(db: Db, caseId: number): Promise<boolean> {
	const row = await db
		.selectFrom('hearing_invitation')
		.select('id')
		.where('case_id', '=', caseId)
		.where('status', '=', 'open')
		.executeTakeFirst();
	return row !== undefined;
}
