import { sql, type ExpressionBuilder } from 'kysely';
import { jsonArrayFrom, jsonBuildObject } from 'kysely/helpers/postgres';
import type { Database, Db } from '$lib/server/db';
import { batchedByKey } from '$lib/server/db/batched';
import { compiledOnce } from '$lib/server/db/compiled';
import { LIVE_INVITATION_STATUSES } from '$lib/hearings';
import { positionColumn, positionFromJson } from '$lib/server/queue/queue.repository';
import type { EstimateSeen } from './estimate-moved';

const caseColumns = [
	'case.id',
	'case.reference',
	'case.product_code',
	'case.sponsor_kvk',
	'case.language',
	'case.submitted_at',
	'case.deadline',
	'case.original_deadline',
	'case.deadline_reason',
	'case.stage_code',
	'case.stage_entered_at',
	'case.stream',
	'case.status',
	'case.outcome',
	'case.last_event_at',
	'case.applicant_id'
] as const;

/** Products whose applicants a sponsor never sees, whatever the data says. */
export const NEVER_SPONSORED = ['asiel', 'nareis'];

/** Cases joined to their applicant. */
export function casesWithApplicant(db: Db) {
	return db.selectFrom('case').innerJoin('applicant', 'applicant.id', 'case.applicant_id');
}

/** Cases joined to their applicant and, where the applicant has one, their account. */
export function casesWithApplicantAccount(db: Db) {
	return casesWithApplicant(db).leftJoin('app_user', 'app_user.applicant_id', 'applicant.id');
}

/** A case with its applicant, and what kind of step its stage is (null for a stage not in the catalogue). */
export async function findCaseByReference(db: Db, reference: string) {
	return casesWithApplicant(db)
		.leftJoin('stage', (join) =>
			join
				.onRef('stage.product_code', '=', 'case.product_code')
				.onRef('stage.code', '=', 'case.stage_code')
		)
		.select(caseColumns)
		.select([
			'applicant.name as applicant_name',
			'applicant.v_number',
			'applicant.birth_date',
			'stage.kind as stage_kind'
		])
		.where('case.reference', '=', reference)
		.executeTakeFirst();
}

export type CaseRecord = NonNullable<Awaited<ReturnType<typeof findCaseByReference>>>;

export async function findCasesOfApplicant(db: Db, applicantId: number) {
	return db
		.selectFrom('case')
		.select(caseColumns)
		.where('applicant_id', '=', applicantId)
		.orderBy('submitted_at', 'desc')
		.execute();
}

/**
 * The case page's one query, built and compiled once: Kysely's building and compiling of it took
 * a tenth of the page's CPU (status bench profile, 3 December 2026). It reads the cases of
 * several requests at once (batchedByKey).
 */
const casesWithHistory = compiledOnce((db, { references }: { references: readonly string[] }) =>
	db
		.selectFrom('case')
		.select(caseColumns)
		.select((eb) => [
			jsonArrayFrom(
				eb
					.selectFrom('case_event')
					.select(['type', 'occurred_at', sql<string | null>`data->>'stage'`.as('stage')])
					.whereRef('case_event.case_id', '=', 'case.id')
					.orderBy('occurred_at')
					.orderBy('received_at')
			).as('history'),
			jsonArrayFrom(
				eb
					.selectFrom('audit_event')
					.select(['at', 'actor_role', 'actor_organisation', 'actor_desk', 'action'])
					.whereRef('audit_event.case_id', '=', 'case.id')
					.where('actor_role', '<>', 'applicant')
					.orderBy('audit_event.id', 'desc')
					.limit(200)
			).as('access_log'),
			positionColumn(sql.ref('case.id')).as('position'),
			eb
				.exists(
					eb
						.selectFrom('hearing_invitation')
						.select('hearing_invitation.id')
						.whereRef('hearing_invitation.case_id', '=', 'case.id')
						.where('hearing_invitation.status', 'in', LIVE_INVITATION_STATUSES)
				)
				.as('has_live_invitation'),
			openDocumentRequest(eb).as('document_request'),
			eb
				.selectFrom('case_estimate_seen')
				.select((seen) =>
					jsonBuildObject({
						sessionId: seen.ref('session_id'),
						seenAt: seen.ref('seen_at'),
						latest: seen.ref('latest'),
						previous: seen.ref('previous')
					}).as('seen')
				)
				.whereRef('case_estimate_seen.case_id', '=', 'case.id')
				.as('estimate_seen')
		])
		.where((eb) => eb('case.reference', '=', eb.fn.any(eb.val(references))))
);

const caseWithHistory = batchedByKey(
	(db, references: readonly string[]) => casesWithHistory(db, { references }),
	(row) => row.reference
);

/**
 * A case with its stage history, the log of who else looked at it, its place in the queue and
 * whether a hearing invitation waits for it, in one round trip: the applicant's status page reads
 * it on every visit.
 */
export async function findCaseWithHistory(db: Db, reference: string) {
	const row = await caseWithHistory(db, reference);
	if (!row) return undefined;
	// JSON carries timestamps as text.
	return {
		...row,
		history: row.history.map((h) => ({ ...h, occurred_at: new Date(h.occurred_at) })),
		access_log: row.access_log.map((a) => ({ ...a, at: new Date(a.at) })),
		position: positionFromJson(row.position),
		document_request: row.document_request as OpenDocumentRequest | null,
		estimate_seen: row.estimate_seen as {
			sessionId: string;
			seenAt: string;
			latest: EstimateSeen;
			previous: EstimateSeen | null;
		} | null
	};
}

/** The case's open request for documents, as JSON (null when none is open). */
export function openDocumentRequest(eb: ExpressionBuilder<Database, 'case'>) {
	return eb
		.selectFrom('document_request')
		.select((d) =>
			jsonBuildObject({
				missing: d.ref('missing'),
				note: d.ref('note'),
				sendBefore: d.ref('send_before'),
				requestedAt: d.ref('requested_at')
			}).as('request')
		)
		.whereRef('document_request.case_id', '=', 'case.id')
		.where('document_request.resolved_at', 'is', null);
}

/** An open request for documents as pages show it. */
export interface OpenDocumentRequest {
	missing: string[];
	note: string | null;
	/** `YYYY-MM-DD` */
	sendBefore: string;
	requestedAt: string;
}

/** A new visit after this long, even within one sign-in session. */
export const VISIT_GAP_MS = 86_400_000;

/**
 * Records what the case page showed at a visit. The first view of a visit (another session, or
 * the same one a day later) moves the latest record to `previous`; views within the visit
 * change nothing, so a reload still compares with the visit before. Two tabs of one new visit
 * move it once: the second finds the session already recorded.
 */
export async function recordEstimateSeen(
	db: Db,
	caseId: number,
	sessionId: string,
	seen: EstimateSeen
): Promise<void> {
	const latest = JSON.stringify(seen);
	await db
		.insertInto('case_estimate_seen')
		.values({ case_id: caseId, session_id: sessionId, seen_at: seen.at, latest })
		.onConflict((oc) =>
			oc
				.column('case_id')
				.doUpdateSet((eb) => ({
					previous: eb.ref('case_estimate_seen.latest'),
					session_id: eb.ref('excluded.session_id'),
					seen_at: eb.ref('excluded.seen_at'),
					latest: eb.ref('excluded.latest')
				}))
				.where((eb) =>
					eb.or([
						eb('case_estimate_seen.session_id', '<>', eb.ref('excluded.session_id')),
						eb(
							'case_estimate_seen.seen_at',
							'<',
							sql<Date>`${eb.ref('excluded.seen_at')} - ${VISIT_GAP_MS / 1000} * interval '1 second'`
						)
					])
				)
		)
		.execute();
}
