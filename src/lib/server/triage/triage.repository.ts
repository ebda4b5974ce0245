import { sql, type Insertable, type Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { TriageRequestStatus } from '$lib/server/db/schema';
import { casesWithApplicantAccount } from '$lib/server/cases/case.repository';

export type Trx = Transaction<Database>;

const requestColumns = [
	'triage_request.id',
	'triage_request.reference',
	'triage_request.case_id',
	'triage_request.created_by',
	'triage_request.status',
	'triage_request.grounds',
	'triage_request.explanation',
	'triage_request.what_changed',
	'triage_request.health_consent_at',
	'triage_request.declared_at',
	'triage_request.created_at',
	'triage_request.sent_at',
	'triage_request.target_date',
	'triage_request.withdrawn_at'
] as const;

export async function findActiveGrounds(db: Db) {
	return db
		.selectFrom('triage_ground')
		.select(['code', 'health'])
		.where('active', '=', true)
		.orderBy('position')
		.execute();
}

/** The case of this reference when it belongs to the applicant of this account, else nothing. */
export async function findOwnCase(db: Db, reference: string, userId: number) {
	return db
		.selectFrom('case')
		.innerJoin('app_user', 'app_user.applicant_id', 'case.applicant_id')
		.select([
			'case.id',
			'case.reference',
			'case.status',
			'case.stream',
			'app_user.email',
			'app_user.language'
		])
		.where('case.reference', '=', reference)
		.where('app_user.id', '=', userId)
		.executeTakeFirst();
}

/** Locks the case row, so that the requests of one case are changed one at a time. */
export async function lockOwnCase(trx: Trx, reference: string, userId: number) {
	return trx
		.selectFrom('case')
		.select(['case.id', 'case.reference', 'case.status', 'case.stream'])
		.where('case.reference', '=', reference)
		.where(
			'case.applicant_id',
			'=',
			trx.selectFrom('app_user').select('applicant_id').where('id', '=', userId)
		)
		.forUpdate()
		.executeTakeFirst();
}

/** The requests of a case, newest first. */
export async function findRequestsOfCase(db: Db, caseId: number) {
	return db
		.selectFrom('triage_request')
		.leftJoin('triage_decision', 'triage_decision.request_id', 'triage_request.id')
		.select(requestColumns)
		.select([
			'triage_decision.outcome',
			'triage_decision.reasons',
			'triage_decision.reason_text',
			'triage_decision.effective_at'
		])
		.where('triage_request.case_id', '=', caseId)
		.orderBy('triage_request.id', 'desc')
		.execute();
}

/** The one request of the case that is still a draft or waiting for a decision. */
function openRequestOfCase(db: Db, caseId: number) {
	return db
		.selectFrom('triage_request')
		.select(requestColumns)
		.where('case_id', '=', caseId)
		.where('status', 'in', ['draft', 'sent']);
}

export async function findOpenRequestOfCase(db: Db, caseId: number) {
	return openRequestOfCase(db, caseId).executeTakeFirst();
}

export async function lockOpenRequestOfCase(trx: Trx, caseId: number) {
	return openRequestOfCase(trx, caseId).forUpdate().executeTakeFirst();
}

/**
 * A new draft for the case, unless the case has an open request already: the partial unique
 * index decides, so two submissions at once make one request. Returns the new id or nothing.
 */
export async function insertDraft(trx: Trx | Db, caseId: number, userId: number) {
	const result = await sql<{ id: number }>`
		insert into triage_request (case_id, created_by) values (${caseId}, ${userId})
		on conflict (case_id) where status in ('draft', 'sent') do nothing
		returning id`.execute(trx);
	return result.rows[0]?.id;
}

/** Changes the request only while it is in `status`, so that a change never skips a step. */
function updateRequestIn(trx: Trx, id: number, status: TriageRequestStatus) {
	return trx.updateTable('triage_request').where('id', '=', id).where('status', '=', status);
}

export async function updateDraft(
	trx: Trx,
	id: number,
	values: {
		grounds: string[];
		explanation: string;
		what_changed: string | null;
		health_consent_at: Date | null;
	}
) {
	await updateRequestIn(trx, id, 'draft')
		.set({ ...values, updated_at: new Date() })
		.execute();
}

export async function markSent(
	trx: Trx,
	id: number,
	values: { reference: string; sent_at: Date; declared_at: Date; target_date: string }
) {
	await updateRequestIn(trx, id, 'draft')
		.set({ ...values, status: 'sent', updated_at: values.sent_at })
		.execute();
}

export async function markWithdrawn(trx: Trx, id: number, at: Date) {
	await trx
		.updateTable('triage_request')
		.set({ status: 'withdrawn', withdrawn_at: at, updated_at: at })
		.where('id', '=', id)
		.execute();
}

export async function markDecided(trx: Trx, id: number, at: Date) {
	await updateRequestIn(trx, id, 'sent').set({ status: 'decided', updated_at: at }).execute();
}

export async function deleteDraft(trx: Trx, id: number) {
	await trx
		.deleteFrom('triage_request')
		.where('id', '=', id)
		.where('status', '=', 'draft')
		.execute();
}

export async function findDocumentsOfRequest(db: Db, requestId: number) {
	return db
		.selectFrom('triage_document')
		.select(['id', 'label', 'content_type', 'size', 'added_at'])
		.where('request_id', '=', requestId)
		.orderBy('added_at')
		.orderBy('label')
		.execute();
}

export async function countDocuments(trx: Trx, requestId: number) {
	const row = await trx
		.selectFrom('triage_document')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('request_id', '=', requestId)
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

export async function insertDocuments(trx: Trx, rows: Insertable<Database['triage_document']>[]) {
	if (rows.length === 0) return [];
	return trx.insertInto('triage_document').values(rows).returning(['id', 'label']).execute();
}

export async function deleteDocument(trx: Trx, requestId: number, documentId: string) {
	const result = await trx
		.deleteFrom('triage_document')
		.where('request_id', '=', requestId)
		.where('id', '=', documentId)
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}

/** A document with the case it belongs to and the account of that case's applicant. */
export async function findDocument(db: Db, documentId: string) {
	return db
		.selectFrom('triage_document')
		.innerJoin('triage_request', 'triage_request.id', 'triage_document.request_id')
		.innerJoin('case', 'case.id', 'triage_request.case_id')
		.select([
			'triage_document.id',
			'triage_document.request_id',
			'triage_document.label',
			'triage_document.content_type',
			'triage_document.size',
			'triage_document.content',
			'triage_request.status',
			'triage_request.case_id',
			'case.reference as case_reference',
			'case.applicant_id'
		])
		.where('triage_document.id', '=', documentId)
		.executeTakeFirst();
}

export async function findApplicantOfUser(db: Db, userId: number) {
	const row = await db
		.selectFrom('app_user')
		.select('applicant_id')
		.where('id', '=', userId)
		.executeTakeFirst();
	return row?.applicant_id ?? null;
}

// --- Conditions -------------------------------------------------------------------------------

export async function findCurrentConditionVersion(db: Db) {
	const row = await db
		.selectFrom('triage_condition_version')
		.select((eb) => eb.fn.max('version').as('version'))
		.executeTakeFirst();
	return row?.version ?? null;
}

export async function findConditions(db: Db, version: number) {
	return db
		.selectFrom('triage_condition')
		.select(['code', 'position', 'text_nl', 'text_en', 'active'])
		.where('version', '=', version)
		.orderBy('position')
		.execute();
}

export async function lockConditionVersions(trx: Trx) {
	// One publisher at a time: the lock is held to commit.
	await sql`select pg_advisory_xact_lock(7202612020100)`.execute(trx);
}

export async function insertConditionVersion(
	trx: Trx,
	version: number,
	publishedBy: number | null,
	conditions: Omit<Insertable<Database['triage_condition']>, 'version'>[]
) {
	await trx
		.insertInto('triage_condition_version')
		.values({ version, published_by: publishedBy })
		.execute();
	await trx
		.insertInto('triage_condition')
		.values(conditions.map((c) => ({ ...c, version })))
		.execute();
}

// --- Staff -----------------------------------------------------------------------------------

/** Requests joined to their case. */
function requestsWithCase(db: Db) {
	return db.selectFrom('triage_request').innerJoin('case', 'case.id', 'triage_request.case_id');
}

/** The requests waiting for a decision, oldest first (FIFO), with any proposal waiting. */
export async function findWaitingRequests(db: Db, limit: number) {
	return requestsWithCase(db)
		.leftJoin('triage_decision', 'triage_decision.request_id', 'triage_request.id')
		.select([
			'triage_request.id',
			'triage_request.reference',
			'triage_request.grounds',
			'triage_request.sent_at',
			'triage_request.target_date',
			'case.reference as case_reference',
			'case.product_code',
			'triage_decision.outcome as proposed_outcome',
			'triage_decision.decided_by as proposed_by'
		])
		.select((eb) =>
			eb
				.selectFrom('triage_returned_proposal')
				.select((inner) => inner.fn.countAll<number>().as('n'))
				.whereRef('triage_returned_proposal.request_id', '=', 'triage_request.id')
				.as('sent_back')
		)
		.where('triage_request.status', '=', 'sent')
		.orderBy('triage_request.sent_at')
		.orderBy('triage_request.id')
		.limit(limit)
		.execute();
}

export async function findRequestForStaff(db: Db, requestId: number) {
	return requestsWithCase(db)
		.select(requestColumns)
		.select([
			'case.reference as case_reference',
			'case.product_code',
			'case.stage_code',
			'case.stream',
			'case.id as case_id'
		])
		.where('triage_request.id', '=', requestId)
		.where('triage_request.status', '!=', 'draft')
		.executeTakeFirst();
}

export async function lockRequest(trx: Trx, requestId: number) {
	return requestsWithCase(trx)
		.select([
			'triage_request.id',
			'triage_request.reference',
			'triage_request.status',
			'triage_request.case_id',
			'case.reference as case_reference'
		])
		.where('triage_request.id', '=', requestId)
		.forUpdate()
		.executeTakeFirst();
}

export async function findDecision(db: Db, requestId: number) {
	return db
		.selectFrom('triage_decision')
		.selectAll()
		.where('request_id', '=', requestId)
		.executeTakeFirst();
}

export async function insertDecision(trx: Trx, row: Insertable<Database['triage_decision']>) {
	return trx.insertInto('triage_decision').values(row).returning('id').executeTakeFirstOrThrow();
}

export async function confirmDecision(trx: Trx, decisionId: number, userId: number, at: Date) {
	const result = await trx
		.updateTable('triage_decision')
		.set({ confirmed_by: userId, confirmed_at: at, effective_at: at })
		.where('id', '=', decisionId)
		.where('effective_at', 'is', null)
		.executeTakeFirst();
	return Number(result.numUpdatedRows);
}

/** The e-mail address and language of the applicant whose case this is, for a notification. */
export async function findApplicantContact(db: Db, caseId: number) {
	return casesWithApplicantAccount(db)
		.select(['app_user.id as user_id', 'app_user.email', 'app_user.language'])
		.where('case.id', '=', caseId)
		.executeTakeFirst();
}

// --- Retention -------------------------------------------------------------------------------

/**
 * Deletes the documents of requests decided (the decision in effect) or withdrawn before
 * `before`; the decision and its reasons stay. Returns how many documents went.
 */
export async function deleteDocumentsBefore(trx: Trx, before: Date, now: Date) {
	{
		const deleted = await sql<{ n: number }>`
			with due as (
				select r.id from triage_request r
				left join triage_decision d on d.request_id = r.id
				where (r.status = 'decided' and d.effective_at < ${before})
					or (r.status = 'withdrawn' and r.withdrawn_at < ${before})
			),
			gone as (
				delete from triage_document doc using due where doc.request_id = due.id returning doc.request_id
			)
			select count(*)::integer as n from gone`.execute(trx);
		await trx
			.updateTable('triage_decision')
			.set({ documents_deleted_at: now })
			.where('documents_deleted_at', 'is', null)
			.where('effective_at', '<', before)
			.execute();
		return deleted.rows[0]?.n ?? 0;
	}
}

/** Deletes drafts created before `before`, with their documents (the foreign key cascades). */
export async function deleteDraftsBefore(db: Db, before: Date) {
	const result = await db
		.deleteFrom('triage_request')
		.where('status', '=', 'draft')
		.where('created_at', '<', before)
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}

// --- Figures -----------------------------------------------------------------------------------

/**
 * Per week (Monday, Amsterdam) of sending, since `since`: requests sent, decided, accepted, and
 * the average days from sending to the decision taking effect.
 */
export async function findWeeklyFigures(db: Db, since: Date) {
	const result = await sql<{
		week: string;
		sent: number;
		decided: number;
		accepted: number;
		days_to_decision: number | null;
	}>`
		select to_char(date_trunc('week', r.sent_at at time zone 'Europe/Amsterdam'), 'YYYY-MM-DD') as week,
			count(*)::integer as sent,
			(count(*) filter (where d.effective_at is not null))::integer as decided,
			(count(*) filter (where d.effective_at is not null and d.outcome = 'accepted'))::integer as accepted,
			(avg(extract(epoch from d.effective_at - r.sent_at) / 86400) filter (where d.effective_at is not null))::float8 as days_to_decision
		from triage_request r
		left join triage_decision d on d.request_id = r.id
		where r.sent_at >= ${since}
		group by 1
		order by 1`.execute(db);
	return result.rows;
}

// --- Public figures ------------------------------------------------------------------------------

/**
 * Per calendar month (Dutch time) in [from, until): requests sent in it, and decisions that took
 * effect in it by outcome. Months without any are left out; `from` and `until` are first days.
 */
export async function findMonthlyCounts(db: Db, window: { from: string; until: string }) {
	const result = await sql<{
		month: string;
		received: number;
		accepted: number;
		not_accepted: number;
	}>`
		with bounds as (
			select (${window.from}::date)::timestamp at time zone 'Europe/Amsterdam' as lo,
				(${window.until}::date)::timestamp at time zone 'Europe/Amsterdam' as hi
		),
		happened as (
			select r.sent_at as at, 'received' as what from triage_request r, bounds
			where r.sent_at >= bounds.lo and r.sent_at < bounds.hi
			union all
			select d.effective_at, d.outcome::text from triage_decision d, bounds
			where d.effective_at >= bounds.lo and d.effective_at < bounds.hi
		)
		select to_char(date_trunc('month', at at time zone 'Europe/Amsterdam'), 'YYYY-MM-DD') as month,
			(count(*) filter (where what = 'received'))::integer as received,
			(count(*) filter (where what = 'accepted'))::integer as accepted,
			(count(*) filter (where what = 'not_accepted'))::integer as not_accepted
		from happened
		group by 1
		order by 1`.execute(db);
	return result.rows;
}

// --- Proposals sent back -------------------------------------------------------------------------

/**
 * Sends a proposal that is not in effect back: it is kept in triage_returned_proposal with who
 * sent it back and why, and leaves triage_decision, so the request waits for a new decision.
 * Returns false when there was no such proposal (any more).
 */
export async function returnProposal(
	trx: Trx,
	decisionId: number,
	values: { returned_by: number; returned_at: Date; return_reason: string }
) {
	const gone = await trx
		.deleteFrom('triage_decision')
		.where('id', '=', decisionId)
		.where('effective_at', 'is', null)
		.returningAll()
		.executeTakeFirst();
	if (!gone) return false;
	await trx
		.insertInto('triage_returned_proposal')
		.values({
			request_id: gone.request_id,
			outcome: gone.outcome,
			conditions_version: gone.conditions_version,
			conditions_met: gone.conditions_met,
			reasons: gone.reasons,
			reason_text: gone.reason_text,
			proposed_by: gone.decided_by,
			proposed_at: gone.decided_at,
			...values
		})
		.execute();
	return true;
}

/** The proposals of a request that were sent back, oldest first, as the officers' page reads them. */
export async function findReturnedProposals(db: Db, requestId: number) {
	return db
		.selectFrom('triage_returned_proposal')
		.select([
			'outcome',
			'reasons',
			'reason_text as reasonText',
			'proposed_by as proposedBy',
			'proposed_at as proposedAt',
			'returned_by as returnedBy',
			'returned_at as returnedAt',
			'return_reason as returnReason'
		])
		.where('request_id', '=', requestId)
		.orderBy('returned_at')
		.orderBy('id')
		.execute();
}
