import type { Db } from '$lib/server/db';
import type { Principal } from '$lib/server/auth/principal';
import type { Stage } from '$lib/server/db/schema';
import { getProducts } from '$lib/server/products/products.service';
import { queuePositionOf, type QueuePosition } from '$lib/server/queue/queue.service';
import { getQueueModels, type WeekCount } from '$lib/server/queue/queue-history.service';
import { estimateTurn, type TurnResult } from '$lib/server/queue/estimator';
import {
	combineLaterStages,
	estimateDecision,
	type DecisionRange
} from '$lib/server/queue/later-stages';
import { daysBetween, dutchDate, type IsoDate } from '$lib/time';
import { momentAfter, shownTurn } from '$lib/components/turnRange';
import {
	findCaseWithHistory,
	recordEstimateSeen,
	VISIT_GAP_MS,
	type OpenDocumentRequest
} from './case.repository';
import { estimateMove, type EstimateMove, type EstimateSeen } from './estimate-moved';
import { caseErrors } from './case.errors';

/** After this long without any event from the case system, the page says its data may be behind. */
export const STALE_AFTER_MS = 2 * 24 * 60 * 60 * 1000;

export type StageState = 'done' | 'current' | 'upcoming' | 'skipped';

export interface TimelineStep {
	stage: string;
	kind: Stage['kind'];
	state: StageState;
	optional: boolean;
	enteredAt: string | null;
}

export interface CaseStatus {
	reference: string;
	product: string;
	status: 'open' | 'decided' | 'withdrawn';
	outcome: string | null;
	stage: string;
	stageKind: Stage['kind'];
	stageEnteredAt: string;
	submittedAt: string;
	timeline: TimelineStep[];
	queue:
		| (Omit<QueuePosition, 'enteredAt'> & {
				enteredAt: string;
				turn: TurnResult;
				weeks: WeekCount[];
				/** Cases that went ahead through the priority stream in the last four complete weeks. */
				priorityLastFourWeeks: number;
				/** How and why the expected turn moved clearly since the applicant's last visit. */
				moved: EstimateMove | null;
		  })
		| null;
	decision: DecisionRange | null;
	/** No stage lies between the turn and the decision: one moment, which the page shows once. */
	decisionAtTurn: boolean;
	deadline: {
		date: string;
		original: string;
		reason: string | null;
		daysLeft: number;
		passed: boolean;
		/**
		 * Whether the decision we expect lies after the time limit: `likely` when the whole range
		 * does, `possibly` when its later end does; null when it does not, or nothing is expected.
		 */
		decisionAfter: 'likely' | 'possibly' | null;
	};
	/** A hearing invitation is open or booked: the page then shows the planner's part. */
	hasLiveInvitation: boolean;
	/** The IND waits for these documents (herstel verzuim). */
	documents: OpenDocumentRequest | null;
	computedAt: string;
	newestEventAt: string | null;
	stale: boolean;
	accessLog: {
		at: string;
		role: string;
		organisation: string | null;
		desk: string | null;
		action: string;
	}[];
}

/** Where the expected decision's first and last day fall against the legal time limit's last day. */
export function decisionAfterDeadline(
	firstDay: IsoDate,
	lastDay: IsoDate,
	deadline: IsoDate
): 'likely' | 'possibly' | null {
	if (firstDay > deadline) return 'likely';
	if (lastDay > deadline) return 'possibly';
	return null;
}

/**
 * The move since the visit before this one; the first view of a visit also records what it
 * shows. A failed record costs the next visit its comparison, not this one its page.
 */
async function compareWithLastVisit(
	db: Db,
	caseId: number,
	record: NonNullable<Awaited<ReturnType<typeof findCaseWithHistory>>>['estimate_seen'],
	seen: EstimateSeen,
	sessionId: string | null
): Promise<EstimateMove | null> {
	if (!sessionId) return null;
	const newVisit =
		!record ||
		record.sessionId !== sessionId ||
		Date.parse(seen.at) - Date.parse(record.seenAt) > VISIT_GAP_MS;
	if (newVisit)
		await recordEstimateSeen(db, caseId, sessionId, seen).catch((err) =>
			console.error('Case page: could not record the estimate shown', err)
		);
	return estimateMove(newVisit ? (record?.latest ?? null) : record.previous, seen);
}

/**
 * Everything the applicant's case page shows, for the applicant who owns the case. With the
 * sign-in session, the page compares its estimate with the one shown at the applicant's last
 * visit, and records this visit's.
 */
export async function getCaseStatus(
	db: Db,
	user: Principal,
	reference: string,
	now = new Date(),
	sessionId: string | null = null
): Promise<CaseStatus> {
	if (user.kind !== 'applicant') throw caseErrors.error('not_found');
	const [found, products, models] = await Promise.all([
		findCaseWithHistory(db, reference),
		getProducts(db, now),
		getQueueModels(db, now)
	]);
	// Someone else's case is "not found", so that its existence does not leak.
	if (!found || found.applicant_id !== user.applicantId) throw caseErrors.error('not_found');
	const { history, access_log: accessLog } = found;
	const position: QueuePosition | null =
		found.status === 'open' ? queuePositionOf(found.position) : null;
	const product = products.find((p) => p.code === found.product_code)!;
	const current = product.stages.find((s) => s.code === found.stage_code)!;

	const entered = new Map<string, string>();
	entered.set(product.stages[0].code, found.submitted_at.toISOString());
	for (const h of history)
		if (h.type === 'case.stage_entered' && h.stage)
			entered.set(h.stage, h.occurred_at.toISOString());
	if (found.status === 'decided')
		entered.set(found.stage_code, found.stage_entered_at.toISOString());
	const timeline: TimelineStep[] = product.stages.map((s) => {
		const state: StageState =
			s.code === found.stage_code && found.status !== 'withdrawn'
				? 'current'
				: s.position < current.position
					? entered.has(s.code)
						? 'done'
						: 'skipped'
					: 'upcoming';
		return {
			stage: s.code,
			kind: s.kind,
			state,
			optional: s.optional,
			enteredAt: entered.get(s.code) ?? null
		};
	});

	let queue: CaseStatus['queue'] = null;
	let decision: DecisionRange | null = null;
	let decisionAtTurn = false;
	if (position && current.kind === 'queue') {
		const model = models.queues.get(`${product.code}/${current.code}`);
		const turn = estimateTurn({
			ahead: position.ahead,
			stream: position.stream,
			history: model?.history ?? { exitsPerWeek: [] }
		});
		const shown = turn.kind === 'estimate' ? shownTurn(turn) : null;
		const seen: EstimateSeen = {
			at: now.toISOString(),
			stage: current.code,
			stream: position.stream,
			turnAt: shown ? momentAfter(models.computedAt, shown.likely, shown.unit).toISOString() : null,
			ahead: position.ahead,
			priorityAhead: position.priorityAhead
		};
		queue = {
			...position,
			enteredAt: position.enteredAt.toISOString(),
			turn,
			weeks: model?.chartWeeks ?? [],
			priorityLastFourWeeks: (model?.history.priorityEntriesPerWeek ?? [])
				.slice(-4)
				.reduce((sum, n) => sum + n, 0),
			moved: await compareWithLastVisit(db, found.id, found.estimate_seen, seen, sessionId)
		};
		const decisionStage = product.stages.find((s) => s.kind === 'final');
		// A request for documents is a detour back to the queue, not a step between turn and decision.
		const later = product.stages.filter(
			(s) =>
				s.kind !== 'documents' &&
				s.position > current.position &&
				(!decisionStage || s.position < decisionStage.position)
		);
		decisionAtTurn = later.length === 0;
		decision = estimateDecision(
			turn,
			combineLaterStages(
				later.map((s) => {
					const samples = models.stageDurations.get(`${product.code}/${s.code}`) ?? [];
					const next = product.stages.find((n) => n.position > s.position && !n.optional);
					const nextSamples = next
						? (models.stageDurations.get(`${product.code}/${next.code}`)?.length ?? 0)
						: 0;
					return {
						stage: s.code,
						samplesDays: samples,
						fixedDays: s.fixed_days ?? undefined,
						share:
							s.optional && nextSamples > 0 ? Math.min(1, samples.length / nextSamples) : undefined
					};
				})
			)
		);
	}

	const today = dutchDate(now);
	const daysLeft = daysBetween(today, found.deadline);
	const decisionDay = (days: number) => dutchDate(momentAfter(models.computedAt, days, 'days'));
	const newest = models.newestEventAt;
	return {
		reference: found.reference,
		product: product.code,
		status: found.status,
		outcome: found.outcome,
		stage: current.code,
		stageKind: current.kind,
		stageEnteredAt: found.stage_entered_at.toISOString(),
		submittedAt: found.submitted_at.toISOString(),
		timeline,
		queue,
		decision,
		decisionAtTurn,
		deadline: {
			date: found.deadline,
			original: found.original_deadline,
			reason: found.deadline_reason,
			daysLeft,
			passed: daysLeft < 0,
			decisionAfter:
				found.status !== 'open' || daysLeft < 0 || !decision
					? null
					: decisionAfterDeadline(
							decisionDay(decision.lowDays),
							decisionDay(decision.highDays),
							found.deadline
						)
		},
		hasLiveInvitation: Boolean(found.has_live_invitation),
		documents: found.status === 'open' ? found.document_request : null,
		computedAt: models.computedAt.toISOString(),
		newestEventAt: newest ? new Date(newest).toISOString() : null,
		stale: !newest || now.getTime() - new Date(newest).getTime() > STALE_AFTER_MS,
		// Role, organisation or desk and time: never the names of staff.
		accessLog: accessLog.map((a) => ({
			at: a.at.toISOString(),
			role: a.actor_role,
			organisation: a.actor_organisation,
			desk: a.actor_desk,
			action: a.action
		}))
	};
}
