import type { Db } from '$lib/server/db';
import type { Principal } from '$lib/server/auth/principal';
import { actorOf, organisationKvks } from '$lib/server/auth/principal';
import { recordAudit } from '$lib/server/audit/audit.service';
import type { CaseStatus, Outcome, QueueStream, StageKind } from '$lib/server/db/schema';
import { getQueueModels } from '$lib/server/queue/queue-history.service';
import { estimateTurn } from '$lib/server/queue/estimator';
import { findPositionOfReference, positionFromJson } from '$lib/server/queue/queue.repository';
import { queuePositionOf } from '$lib/server/queue/queue.service';
import { findSponsoredCase } from '$lib/server/cases/case.service';
import { summariseCase } from '$lib/server/cases/lookup.service';
import type { OpenDocumentRequest } from '$lib/server/cases/case.repository';
import { shownTurn, type ShownTurn } from '$lib/components/turnRange';
import { addDays, daysBetween, dutchDate } from '$lib/time';
import {
	countWorkspace,
	findQueuePlaces,
	findWorkspacePage,
	findWorkspaceSummary,
	findOpenDocumentRequest,
	hasOpenInvitation,
	type SortKey,
	type WorkspaceFilter
} from './workspace.repository';
import { encodeCursor, workspaceSearch, type WorkspaceQuery } from './workspace.validation';

export const WORKSPACE_PAGE_SIZE = 50;
const SOON_DAYS = 14;
const DECIDED_DAYS = 30;
const DAY_MS = 86_400_000;

export interface WorkspaceRow {
	reference: string;
	applicantName: string;
	vNumber: string | null;
	product: string;
	stage: string;
	stageKind: StageKind;
	status: CaseStatus;
	outcome: Outcome | null;
	submittedAt: string;
	/** `YYYY-MM-DD` */
	deadline: string;
	/** Days from today to the legal deadline (negative once passed); null once the case is closed. */
	daysLeft: number | null;
	needsAction: boolean;
	/** What the IND waits for (herstel verzuim), and by when; null when nothing is asked. */
	documents: OpenDocumentRequest | null;
	/** In a queue stage: the place in it and when the turn is expected. */
	queue: { position: number; waiting: number; turn: ShownTurn | null } | null;
}

export interface SummaryCount {
	count: number;
	href: string;
}

export interface WorkspacePage {
	rows: WorkspaceRow[];
	total: number;
	/** Links to the neighbouring pages, with the filter kept; null at either end. */
	next: string | null;
	previous: string | null;
	/** The first page of this filter, when this is not it. */
	first: string | null;
	/** The whole filtered list as CSV. */
	exportHref: string;
	summary: {
		stages: (SummaryCount & { product: string; stage: string })[];
		open: SummaryCount;
		needsAction: SummaryCount;
		deadlineSoon: SummaryCount;
		deadlinePassed: SummaryCount;
		decidedRecently: SummaryCount;
	};
	/** The products and stages the organisation's cases are in, for the filter's choices. */
	choices: { products: string[]; stages: { product: string; stage: string }[] };
}

/** A cursor is only used when its values have the types of the sort's key. */
function validKey(sort: WorkspaceQuery['sort'], key: SortKey | undefined): SortKey | undefined {
	if (!key) return undefined;
	const id = key.at(-1);
	if (typeof id !== 'number' || !Number.isInteger(id)) return undefined;
	const ok =
		sort === 'submitted'
			? key.length === 2 &&
				typeof key[0] === 'string' &&
				!Number.isNaN(Date.parse(key[0])) &&
				/^\d{4}-\d{2}-\d{2}T/.test(key[0])
			: key.length === 3 &&
				typeof key[1] === 'string' &&
				/^\d{4}-\d{2}-\d{2}$/.test(key[1]) &&
				(sort === 'stage' ? Number.isInteger(key[0]) : typeof key[0] === 'boolean');
	return ok ? key : undefined;
}

function filterOf(user: Principal, query: WorkspaceQuery, now: Date): WorkspaceFilter {
	const today = dutchDate(now);
	return {
		kvks: organisationKvks(user),
		search: query.q || undefined,
		product: query.product,
		stage: query.stage,
		action: query.action,
		deadline: query.deadline,
		decided: query.decided,
		today,
		soonUntil: addDays(today, SOON_DAYS),
		decidedSince: new Date(now.getTime() - DECIDED_DAYS * DAY_MS)
	};
}

type PageRecord = Awaited<ReturnType<typeof findWorkspacePage>>['rows'][number];
type QueueModels = Awaited<ReturnType<typeof getQueueModels>>;

/** A waiting case's place and expected turn, as the applicant's page estimates it. */
function queueView(
	models: QueueModels,
	product: string,
	stage: string,
	place: { ahead: number; waiting: number; stream: QueueStream }
): NonNullable<WorkspaceRow['queue']> {
	const model = models.queues.get(`${product}/${stage}`);
	const turn = estimateTurn({
		ahead: place.ahead,
		stream: place.stream,
		history: model?.history ?? { exitsPerWeek: [] }
	});
	return {
		position: place.ahead + 1,
		waiting: place.waiting,
		turn: turn.kind === 'estimate' ? shownTurn(turn) : null
	};
}

function toRow(
	r: PageRecord,
	place: { ahead: number; waiting: number; stream: QueueStream } | null,
	models: QueueModels,
	today: string
): WorkspaceRow {
	const waiting = place && r.status === 'open' && r.stage_kind === 'queue';
	const queue = waiting ? queueView(models, r.product_code, r.stage_code, place) : null;
	return {
		reference: r.reference,
		applicantName: r.applicant_name,
		vNumber: r.v_number,
		product: r.product_code,
		stage: r.stage_code,
		stageKind: r.stage_kind,
		status: r.status,
		outcome: r.outcome,
		submittedAt: r.submitted_at.toISOString(),
		deadline: r.deadline,
		daysLeft: r.status === 'open' ? daysBetween(today, r.deadline) : null,
		needsAction: r.status === 'open' && r.needs_action === true,
		documents: r.status === 'open' ? r.document_request : null,
		queue
	};
}

function referentGrant(user: Principal) {
	return user.roles.find((r) => r.role === 'referent_admin' || r.role === 'referent_member');
}

const EXPORT_BATCH = 1000;

/**
 * Every row of the filtered list (the page it was on does not matter), in its order, a batch at
 * a time, for the CSV export. Audited once, with the filter.
 */
export async function* exportWorkspace(
	db: Db,
	user: Principal,
	query: WorkspaceQuery,
	ip: string | null,
	now = new Date()
): AsyncGenerator<WorkspaceRow[]> {
	const filter = filterOf(user, query, now);
	const grant = referentGrant(user);
	if (!grant) return;
	await recordAudit(db, actorOf(user, grant.role, ip), {
		action: 'referent.export',
		details: { filter: workspaceSearch(query) || '' }
	});
	const [places, models] = await Promise.all([
		findQueuePlaces(db, filter.kvks),
		getQueueModels(db, now)
	]);
	let after: SortKey | undefined;
	for (;;) {
		const page = await findWorkspacePage(db, filter, {
			sort: query.sort,
			after,
			limit: EXPORT_BATCH,
			positions: false
		});
		if (page.rows.length > 0)
			yield page.rows.map((r) => toRow(r, places.get(r.id) ?? null, models, filter.today));
		if (!page.more) return;
		after = page.rows.at(-1)!.key;
	}
}

/**
 * The organisation's cases as the referent's list shows them, computed fresh from the same data
 * as the applicant's page: one page of the filtered list, its count, and the summary above it.
 * Each view is audited as one row with its filter, not a row per case.
 */
export async function getWorkspace(
	db: Db,
	user: Principal,
	query: WorkspaceQuery,
	ip: string | null,
	now = new Date()
): Promise<WorkspacePage> {
	const filter = filterOf(user, query, now);
	const after = validKey(query.sort, query.after);
	const before = after ? undefined : validKey(query.sort, query.before);
	const [page, total, summary, models] = await Promise.all([
		findWorkspacePage(db, filter, {
			sort: query.sort,
			after,
			before,
			limit: WORKSPACE_PAGE_SIZE
		}),
		countWorkspace(db, filter),
		findWorkspaceSummary(db, filter),
		getQueueModels(db, now)
	]);
	const grant = referentGrant(user);
	if (grant)
		await recordAudit(db, actorOf(user, grant.role, ip), {
			action: 'referent.list',
			details: { filter: workspaceSearch(query) || '' }
		});

	const rows = page.rows.map((r) => toRow(r, positionFromJson(r.position), models, filter.today));

	const base = { ...query, after: undefined, before: undefined };
	const href = (search: string) => `/referent${search}`;
	const firstKey = page.rows[0]?.key;
	const lastKey = page.rows.at(-1)?.key;
	// Read forwards, `more` says a next page follows; read backwards, that a previous one does.
	const hasNext = before ? true : page.more;
	const hasPrevious = before ? page.more : !!after;
	const bare = { q: '', sort: 'deadline' as const };
	const countLink = (count: number, search: Partial<WorkspaceQuery>) => ({
		count,
		href: href(workspaceSearch({ ...bare, ...search }))
	});
	const sum = (pick: (s: (typeof summary)[number]) => number) =>
		summary.reduce((n, s) => n + pick(s), 0);
	return {
		rows,
		total,
		next: hasNext && lastKey ? href(workspaceSearch(base, { after: encodeCursor(lastKey) })) : null,
		previous:
			hasPrevious && firstKey
				? href(workspaceSearch(base, { before: encodeCursor(firstKey) }))
				: null,
		first: after || before ? href(workspaceSearch(base)) : null,
		exportHref: `/referent/export.csv${workspaceSearch(base)}`,
		summary: {
			stages: summary
				.filter((s) => s.open > 0)
				.map((s) => ({
					product: s.product_code,
					stage: s.stage_code,
					...countLink(s.open, { product: s.product_code, stage: s.stage_code })
				})),
			open: countLink(
				sum((s) => s.open),
				{}
			),
			needsAction: countLink(
				sum((s) => s.needs_action),
				{ action: true }
			),
			deadlineSoon: countLink(
				sum((s) => s.deadline_soon),
				{ deadline: 'soon' }
			),
			deadlinePassed: countLink(
				sum((s) => s.deadline_passed),
				{ deadline: 'passed' }
			),
			decidedRecently: countLink(
				sum((s) => s.decided_recently),
				{ decided: true }
			)
		},
		choices: {
			products: [...new Set(summary.map((s) => s.product_code))],
			stages: summary.map((s) => ({ product: s.product_code, stage: s.stage_code }))
		}
	};
}

/**
 * One sponsored case as its referent sees it: the status, place and expected turn the applicant's
 * page shows, and whether it waits for action; nothing that is the applicant's alone (their
 * requests for faster handling, who looked at the file, their contact details). The read is
 * audited, and the applicant sees it.
 */
export async function getSponsoredCase(
	db: Db,
	user: Principal,
	reference: string,
	ip: string | null,
	now = new Date()
) {
	const found = await findSponsoredCase(db, user, reference, ip);
	const open = found.status === 'open';
	const [counted, models, invited, documents] = await Promise.all([
		open ? findPositionOfReference(db, reference) : null,
		getQueueModels(db, now),
		hasOpenInvitation(db, found.id),
		open ? findOpenDocumentRequest(db, found.id) : null
	]);
	const position = queuePositionOf(counted ?? null);
	const queue = position
		? queueView(models, found.product_code, position.stageCode, position)
		: null;
	const summary = summariseCase(found, false, now);
	return {
		summary,
		queue,
		needsAction: open && (invited || documents !== null),
		/** A hearing invitation waits to be booked. */
		invited: open && invited,
		documents,
		daysLeft: found.status === 'open' ? daysBetween(dutchDate(now), found.deadline) : null
	};
}
