/**
 * Schrijnend triage: an applicant asks for FASTER HANDLING of their case (not for a permit), with
 * grounds, an explanation and documents; triage officers decide against the published conditions,
 * an acceptance confirmed by a second officer (four eyes, configurable). An acceptance moves the
 * case into the priority stream of its current queue and of its later queue stages in the same
 * transaction as the decision, and the change feed tells the case system.
 *
 * Every change is one transaction that locks the case (applicant side) or the request (staff
 * side); every step is audited in that transaction.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Db } from '$lib/server/db';
import type { Insertable } from 'kysely';
import type { Database, TriageContentType, TriageOutcome } from '$lib/server/db/schema';
import { recordAuditAfterCommit, type Actor } from '$lib/server/audit/audit.service';
import { nudgeAuditChain } from '$lib/server/audit/audit.chain';
import { recordChanges } from '$lib/server/changes/change.service';
import { moveCaseToStream } from '$lib/server/queue/queue.service';
import { queueEmail } from '$lib/server/notify/email.service';
import { queuePush } from '$lib/server/push/push.service';
import { numberFromEnv } from '$lib/server/config/env';
import { addDays, addMonths, dutchDate } from '$lib/time';
import { REASON_TEMPLATES, TRIAGE_LIMITS, type TriageOutcomeName } from '$lib/triage';
import { triageErrors, type TriageErrorCode } from './triage.errors';
import { sniffDocument } from './triage.documents';
import * as repo from './triage.repository';

type Trx = repo.Trx;
const DAY_MS = 86_400_000;

export interface TriageConfig {
	/** Days from sending to the target date of the decision, shown to the applicant. */
	targetDays: number;
	/** Days after a decision (or a withdrawal) that the documents are deleted. */
	retentionDays: number;
	/** An acceptance takes effect only when a second officer confirms it. */
	fourEyes: boolean;
	/** A draft not sent within this time is deleted with its files. */
	draftMaxAgeMs: number;
}

export function triageConfig(env: NodeJS.ProcessEnv = process.env): TriageConfig {
	return {
		targetDays: numberFromEnv(env.TRIAGE_TARGET_DAYS, 14, { integer: true, positive: true }),
		retentionDays: numberFromEnv(env.TRIAGE_DOCUMENT_RETENTION_DAYS, 90, { integer: true }),
		// Only an explicit "false" turns four eyes off: a typo keeps the safer rule.
		fourEyes: env.TRIAGE_FOUR_EYES !== 'false',
		draftMaxAgeMs: DAY_MS
	};
}

/** Who acts: an applicant on their own case, or a triage officer or administrator. */
export type TriageActor = Actor & { userId: number };

async function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
	const result = await db.transaction().execute(work);
	nudgeAuditChain();
	return result;
}

const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** `VSB-XXXX-XXXX` (verzoek snellere behandeling): readable over the phone, 40 random bits. */
function newRequestReference(): string {
	const part = () =>
		Array.from({ length: 4 }, () => REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)]).join(
			''
		);
	return `VSB-${part()}-${part()}`;
}

// --- The applicant's side ----------------------------------------------------------------------

export interface Ground {
	code: string;
	/** Choosing it asks for consent to process health data. */
	health: boolean;
}

export interface RequestDocument {
	id: string;
	label: string;
	contentType: TriageContentType;
	size: number;
	addedAt: Date;
}

export interface PriorityRequest {
	id: number;
	reference: string | null;
	status: 'draft' | 'sent' | 'decided' | 'withdrawn';
	grounds: string[];
	explanation: string;
	whatChanged: string | null;
	healthConsent: boolean;
	createdAt: Date;
	sentAt: Date | null;
	targetDate: string | null;
	withdrawnAt: Date | null;
}

export interface PastRequest extends PriorityRequest {
	outcome: TriageOutcome | null;
	reasons: string[];
	reasonText: string;
	decidedAt: Date | null;
}

export interface PriorityRequestPage {
	caseReference: string;
	caseOpen: boolean;
	stream: 'normal' | 'priority';
	grounds: Ground[];
	open: (PriorityRequest & { documents: RequestDocument[] }) | null;
	/** Decided and withdrawn requests, newest first. */
	past: PastRequest[];
	/** A new request must say what changed since the last decision. */
	asksWhatChanged: boolean;
	/** Why no new request can be started, or null when it can. */
	blocked: 'case_closed' | 'already_priority' | null;
	limits: typeof TRIAGE_LIMITS;
}

function toRequest(
	row:
		| Awaited<ReturnType<typeof repo.findRequestsOfCase>>[number]
		| NonNullable<Awaited<ReturnType<typeof repo.findOpenRequestOfCase>>>
): PriorityRequest {
	return {
		id: row.id,
		reference: row.reference,
		status: row.status,
		grounds: row.grounds,
		explanation: row.explanation,
		whatChanged: row.what_changed,
		healthConsent: row.health_consent_at !== null,
		createdAt: row.created_at,
		sentAt: row.sent_at,
		targetDate: row.target_date,
		withdrawnAt: row.withdrawn_at
	};
}

function toDocument(
	row: Awaited<ReturnType<typeof repo.findDocumentsOfRequest>>[number]
): RequestDocument {
	return {
		id: row.id,
		label: row.label,
		contentType: row.content_type,
		size: row.size,
		addedAt: row.added_at
	};
}

async function requireOwnCase(db: Db, reference: string, userId: number) {
	const found = await repo.findOwnCase(db, reference, userId);
	if (!found) throw triageErrors.error('not_found');
	return found;
}

/** Everything the applicant's pages show: the open request, past ones, the grounds. */
export async function getPriorityRequestPage(
	db: Db,
	input: { reference: string; userId: number }
): Promise<PriorityRequestPage> {
	const found = await requireOwnCase(db, input.reference, input.userId);
	const [rows, grounds] = await Promise.all([
		repo.findRequestsOfCase(db, found.id),
		repo.findActiveGrounds(db)
	]);
	const openRow = rows.find((r) => r.status === 'draft' || r.status === 'sent');
	const documents = openRow ? await repo.findDocumentsOfRequest(db, openRow.id) : [];
	const past = rows
		.filter((r) => r.status === 'decided' || r.status === 'withdrawn')
		.map((r) => ({
			...toRequest(r),
			outcome: r.status === 'decided' ? r.outcome : null,
			reasons: r.status === 'decided' ? (r.reasons ?? []) : [],
			reasonText: r.status === 'decided' ? (r.reason_text ?? '') : '',
			decidedAt: r.status === 'decided' ? r.effective_at : null
		}));
	return {
		caseReference: found.reference,
		caseOpen: found.status === 'open',
		stream: found.stream,
		grounds,
		open: openRow ? { ...toRequest(openRow), documents: documents.map(toDocument) } : null,
		past,
		asksWhatChanged: rows.some((r) => r.status === 'decided'),
		blocked:
			found.status !== 'open'
				? 'case_closed'
				: found.stream === 'priority'
					? 'already_priority'
					: null,
		limits: TRIAGE_LIMITS
	};
}

async function lockCaseOrThrow(trx: Trx, reference: string, userId: number) {
	const found = await repo.lockOwnCase(trx, reference, userId);
	if (!found) throw triageErrors.error('not_found');
	return found;
}

async function lockOpenOrThrow(trx: Trx, caseId: number) {
	const open = await repo.lockOpenRequestOfCase(trx, caseId);
	if (!open) throw triageErrors.error('not_open');
	return open;
}

/**
 * Starts a draft for the case, or returns the open request it has: one open request per case,
 * whichever of two submissions at once comes first (the partial unique index decides).
 */
export async function startRequest(
	db: Db,
	input: { reference: string; actor: TriageActor }
): Promise<{ id: number; created: boolean }> {
	const found = await requireOwnCase(db, input.reference, input.actor.userId);
	if (found.status !== 'open') throw triageErrors.error('case_closed');
	if (found.stream === 'priority') throw triageErrors.error('already_priority');
	return inTransaction(db, async (trx) => {
		const id = await repo.insertDraft(trx, found.id, input.actor.userId);
		if (id !== undefined) {
			await recordAuditAfterCommit(trx, input.actor, {
				action: 'triage.request.started',
				caseId: found.id,
				subject: String(id)
			});
			return { id, created: true };
		}
		const open = await repo.findOpenRequestOfCase(trx, found.id);
		// The other request went between the insert and this read (withdrawn, decided): try again.
		if (!open) throw triageErrors.error('not_open');
		return { id: open.id, created: false };
	});
}

export interface DraftInput {
	grounds: string[];
	explanation: string;
	whatChanged?: string | null;
	healthConsent: boolean;
}

/** What a draft still lacks or breaks before it can be sent, as error codes in page order. */
export function draftProblems(
	draft: DraftInput & { declaration?: boolean },
	context: { grounds: Ground[]; asksWhatChanged: boolean; sending: boolean }
): TriageErrorCode[] {
	const problems: TriageErrorCode[] = [];
	const known = new Set(context.grounds.map((g) => g.code));
	if (draft.grounds.some((g) => !known.has(g))) problems.push('ground_unknown');
	else if (context.sending && draft.grounds.length === 0) problems.push('grounds_required');
	const explanation = draft.explanation.trim();
	if (explanation.length > TRIAGE_LIMITS.explanationMax) problems.push('explanation_too_long');
	else if (context.sending && explanation.length === 0) problems.push('explanation_required');
	const changed = (draft.whatChanged ?? '').trim();
	if (changed.length > TRIAGE_LIMITS.whatChangedMax) problems.push('what_changed_too_long');
	else if (context.sending && context.asksWhatChanged && changed.length === 0)
		problems.push('what_changed_required');
	const health = context.grounds.some((g) => g.health && draft.grounds.includes(g.code));
	if (health && !draft.healthConsent) problems.push('health_consent_required');
	if (context.sending && !draft.declaration) problems.push('declaration_required');
	return problems;
}

function problemsError(problems: TriageErrorCode[]) {
	return triageErrors.error(problems[0], {
		errors: problems.map((code) => ({
			index: -1,
			field: triageErrors.codes[code].field ?? '',
			code,
			message: triageErrors.codes[code].key ?? `triage:errors.${code}`
		}))
	});
}

async function asksWhatChanged(db: Db, caseId: number) {
	const rows = await repo.findRequestsOfCase(db, caseId);
	return rows.some((r) => r.status === 'decided');
}

/**
 * Saves the answers of the draft; consent for health data only when a health ground is chosen.
 * With `checkOnly`, refuses them as it would, and saves nothing.
 */
export async function saveDraft(
	db: Db,
	input: {
		reference: string;
		actor: TriageActor;
		draft: DraftInput;
		checkOnly?: boolean;
		now?: Date;
	}
): Promise<void> {
	const now = input.now ?? new Date();
	const grounds = await repo.findActiveGrounds(db);
	const draft = { ...input.draft, grounds: [...new Set(input.draft.grounds)] };
	await inTransaction(db, async (trx) => {
		const found = await lockCaseOrThrow(trx, input.reference, input.actor.userId);
		const open = await lockOpenOrThrow(trx, found.id);
		if (open.status !== 'draft') throw triageErrors.error('not_draft');
		const problems = draftProblems(draft, {
			grounds,
			asksWhatChanged: await asksWhatChanged(trx, found.id),
			sending: false
		});
		if (problems.length) throw problemsError(problems);
		if (input.checkOnly) return;
		const health = grounds.some((g) => g.health && draft.grounds.includes(g.code));
		await repo.updateDraft(trx, open.id, {
			grounds: draft.grounds,
			explanation: draft.explanation.trim(),
			what_changed: draft.whatChanged?.trim() || null,
			health_consent_at: health && draft.healthConsent ? (open.health_consent_at ?? now) : null
		});
	});
}

export interface UploadedFile {
	/** The file name the person's device gave it: only a label. */
	name: string;
	bytes: Uint8Array;
}

/** A file name as a label: no path, no control characters, at most 200 characters. */
export function labelOf(name: string): string {
	const base = name.split(/[\\/]/).pop() ?? '';
	const clean = Array.from(base.normalize('NFC'))
		.filter((c) => c >= ' ' && c !== '\u007f')
		.join('')
		.trim()
		.slice(0, 200);
	return clean || 'document';
}

/** A document as it will be stored, once its file has passed the checks. */
export type PreparedDocument = Pick<
	Insertable<Database['triage_document']>,
	'label' | 'content_type' | 'size' | 'sha256' | 'content'
>;

/**
 * The files of an upload checked one by one, by their content, before anything is stored: at most
 * five, none empty, none over 10 MB, each a PDF, JPEG or PNG. The save of a draft runs this before
 * it saves the answers, so that a refused file leaves the answers as they were.
 */
export async function prepareDocuments(input: UploadedFile[]): Promise<PreparedDocument[]> {
	const files = input.filter((f) => f.bytes.byteLength > 0 || f.name !== '');
	if (files.length === 0) throw triageErrors.error('document_empty');
	if (files.length > TRIAGE_LIMITS.maxDocuments) throw triageErrors.error('too_many_documents');
	const rows: PreparedDocument[] = [];
	for (const file of files) {
		if (file.bytes.byteLength === 0) throw triageErrors.error('document_empty');
		if (file.bytes.byteLength > TRIAGE_LIMITS.maxDocumentBytes)
			throw triageErrors.error('document_too_large');
		const type = await sniffDocument(file.bytes);
		if (!type) throw triageErrors.error('document_type', { params: { name: labelOf(file.name) } });
		rows.push({
			label: labelOf(file.name),
			content_type: type,
			size: file.bytes.byteLength,
			sha256: createHash('sha256').update(file.bytes).digest('hex'),
			content: file.bytes
		});
	}
	return rows;
}

/**
 * Adds documents to the open request (a draft, or sent and not yet decided): up to five in all,
 * each a PDF, JPEG or PNG by its content. All or none are stored. A caller that has already
 * checked the files (`prepareDocuments`) passes what that returned, so they are not read twice.
 */
export async function addDocuments(
	db: Db,
	input: { reference: string; actor: TriageActor } & (
		{ files: UploadedFile[] } | { prepared: PreparedDocument[] }
	)
): Promise<RequestDocument[]> {
	const rows = 'prepared' in input ? input.prepared : await prepareDocuments(input.files);
	const added = await inTransaction(db, async (trx) => {
		const found = await lockCaseOrThrow(trx, input.reference, input.actor.userId);
		const open = await lockOpenOrThrow(trx, found.id);
		const count = await repo.countDocuments(trx, open.id);
		if (count + rows.length > TRIAGE_LIMITS.maxDocuments)
			throw triageErrors.error('too_many_documents');
		const inserted = await repo.insertDocuments(
			trx,
			rows.map((r) => ({ ...r, request_id: open.id, added_by: input.actor.userId }))
		);
		await recordAuditAfterCommit(trx, input.actor, {
			action: 'triage.documents.added',
			caseId: found.id,
			subject: String(open.id),
			details: { documents: inserted.map((d) => d.id), requestStatus: open.status }
		});
		return repo.findDocumentsOfRequest(trx, open.id);
	});
	return added.map(toDocument);
}

/** Removes a document from the draft; once sent, documents stay with the request. */
export async function removeDocument(
	db: Db,
	input: { reference: string; actor: TriageActor; documentId: string }
): Promise<void> {
	if (!isUuid(input.documentId)) throw triageErrors.error('not_found');
	await inTransaction(db, async (trx) => {
		const found = await lockCaseOrThrow(trx, input.reference, input.actor.userId);
		const open = await lockOpenOrThrow(trx, found.id);
		if (open.status !== 'draft') throw triageErrors.error('not_draft');
		if ((await repo.deleteDocument(trx, open.id, input.documentId)) === 0)
			throw triageErrors.error('not_found');
		await recordAuditAfterCommit(trx, input.actor, {
			action: 'triage.documents.removed',
			caseId: found.id,
			subject: String(open.id),
			details: { document: input.documentId }
		});
	});
}

export interface Receipt {
	reference: string;
	sentAt: Date;
	targetDate: string;
}

/**
 * Sends the draft: every answer checked, the declaration made, in one transaction. The receipt
 * carries the request's reference and the target date of the decision.
 */
export async function sendRequest(
	db: Db,
	input: {
		reference: string;
		actor: TriageActor;
		declaration: boolean;
		now?: Date;
		config?: TriageConfig;
	}
): Promise<Receipt> {
	const now = input.now ?? new Date();
	const config = input.config ?? triageConfig();
	const grounds = await repo.findActiveGrounds(db);
	return inTransaction(db, async (trx) => {
		const found = await lockCaseOrThrow(trx, input.reference, input.actor.userId);
		if (found.status !== 'open') throw triageErrors.error('case_closed');
		if (found.stream === 'priority') throw triageErrors.error('already_priority');
		const open = await lockOpenOrThrow(trx, found.id);
		if (open.status !== 'draft') throw triageErrors.error('not_draft');
		const problems = draftProblems(
			{
				grounds: open.grounds,
				explanation: open.explanation,
				whatChanged: open.what_changed,
				healthConsent: open.health_consent_at !== null,
				declaration: input.declaration
			},
			{ grounds, asksWhatChanged: await asksWhatChanged(trx, found.id), sending: true }
		);
		if (problems.length) throw problemsError(problems);
		const receipt = {
			reference: newRequestReference(),
			sentAt: now,
			targetDate: addDays(dutchDate(now), config.targetDays)
		};
		await repo.markSent(trx, open.id, {
			reference: receipt.reference,
			sent_at: now,
			declared_at: now,
			target_date: receipt.targetDate
		});
		await recordAuditAfterCommit(trx, input.actor, {
			action: 'triage.request.sent',
			caseId: found.id,
			subject: receipt.reference,
			details: { grounds: open.grounds, targetDate: receipt.targetDate }
		});
		await notifyApplicant(trx, found.id, 'triage_sent', {
			reference: receipt.reference,
			date: receipt.targetDate
		});
		return receipt;
	});
}

/** Withdraws the open request; a draft is simply deleted with its files. */
export async function withdrawRequest(
	db: Db,
	input: { reference: string; actor: TriageActor; now?: Date }
): Promise<void> {
	const now = input.now ?? new Date();
	await inTransaction(db, async (trx) => {
		const found = await lockCaseOrThrow(trx, input.reference, input.actor.userId);
		const open = await lockOpenOrThrow(trx, found.id);
		if (open.status === 'draft') await repo.deleteDraft(trx, open.id);
		else await repo.markWithdrawn(trx, open.id, now);
		await recordAuditAfterCommit(trx, input.actor, {
			action: open.status === 'draft' ? 'triage.request.discarded' : 'triage.request.withdrawn',
			caseId: found.id,
			subject: open.reference ?? String(open.id)
		});
	});
}

async function notifyApplicant(
	trx: Trx,
	caseId: number,
	template: 'triage_sent' | 'triage_decided',
	params: { reference: string; date?: string }
) {
	if (template === 'triage_decided') await queuePush(trx, [{ caseId, kind: 'triage_decided' }]);
	const contact = await repo.findApplicantContact(trx, caseId);
	if (!contact?.email) return;
	if (template === 'triage_sent')
		await queueEmail(trx, {
			to: contact.email,
			template,
			lang: contact.language ?? 'nl',
			params: { reference: params.reference, date: params.date ?? '' }
		});
	else
		await queueEmail(trx, {
			to: contact.email,
			template,
			lang: contact.language ?? 'nl',
			params: { reference: params.reference }
		});
}

// --- Documents --------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function isUuid(value: string): boolean {
	return UUID.test(value);
}

export type DocumentReader =
	{ kind: 'applicant'; actor: TriageActor } | { kind: 'officer'; actor: TriageActor };

/**
 * A document's content for someone allowed to read it: the applicant of its case, or a triage
 * officer once the request is sent. Anyone else, and a forged id, get not_found. An officer's
 * reading is audited.
 */
export async function readDocument(
	db: Db,
	input: { documentId: string; reader: DocumentReader; caseReference?: string; requestId?: number }
) {
	if (!isUuid(input.documentId)) throw triageErrors.error('not_found');
	const doc = await repo.findDocument(db, input.documentId);
	if (!doc) throw triageErrors.error('not_found');
	if (input.caseReference !== undefined && doc.case_reference !== input.caseReference)
		throw triageErrors.error('not_found');
	if (input.requestId !== undefined && doc.request_id !== input.requestId)
		throw triageErrors.error('not_found');
	if (input.reader.kind === 'applicant') {
		const applicantId = await repo.findApplicantOfUser(db, input.reader.actor.userId);
		if (applicantId === null || applicantId !== doc.applicant_id)
			throw triageErrors.error('not_found');
	} else {
		if (doc.status === 'draft') throw triageErrors.error('not_found');
		await inTransaction(db, (trx) =>
			recordAuditAfterCommit(trx, input.reader.actor, {
				action: 'triage.document.read',
				caseId: doc.case_id,
				subject: doc.id,
				details: { request: doc.request_id }
			})
		);
	}
	return {
		id: doc.id,
		label: doc.label,
		contentType: doc.content_type,
		size: doc.size,
		content: doc.content
	};
}

// --- Conditions ---------------------------------------------------------------------------------

export interface Condition {
	code: string;
	textNl: string;
	textEn: string;
	active: boolean;
}

export interface ConditionSet {
	version: number;
	conditions: Condition[];
}

export async function getConditions(db: Db, version?: number): Promise<ConditionSet> {
	const current = version ?? (await repo.findCurrentConditionVersion(db));
	if (current === null) return { version: 0, conditions: [] };
	const rows = await repo.findConditions(db, current);
	return {
		version: current,
		conditions: rows.map((r) => ({
			code: r.code,
			textNl: r.text_nl,
			textEn: r.text_en,
			active: r.active
		}))
	};
}

/**
 * Publishes a new version of the conditions, made from the version the administrator edited
 * (`baseVersion`): when someone published in between, nothing is written and they are told.
 */
export async function publishConditions(
	db: Db,
	input: { baseVersion: number; conditions: Condition[]; actor: TriageActor }
): Promise<number> {
	const codes = input.conditions.map((c) => c.code);
	if (new Set(codes).size !== codes.length || codes.some((c) => !/^[a-z0-9_]{2,40}$/.test(c)))
		throw triageErrors.error('condition_unknown');
	if (
		input.conditions.some(
			(c) =>
				!c.textNl.trim() || !c.textEn.trim() || c.textNl.length > 1000 || c.textEn.length > 1000
		)
	)
		throw triageErrors.error('invalid');
	return inTransaction(db, async (trx) => {
		await repo.lockConditionVersions(trx);
		const current = (await repo.findCurrentConditionVersion(trx)) ?? 0;
		if (current !== input.baseVersion) throw triageErrors.error('conditions_changed');
		const version = current + 1;
		await repo.insertConditionVersion(
			trx,
			version,
			input.actor.userId,
			input.conditions.map((c, i) => ({
				code: c.code,
				position: i + 1,
				text_nl: c.textNl.trim(),
				text_en: c.textEn.trim(),
				active: c.active
			}))
		);
		await recordAuditAfterCommit(trx, input.actor, {
			action: 'triage.conditions.published',
			subject: String(version),
			details: { codes, active: input.conditions.filter((c) => c.active).map((c) => c.code) }
		});
		return version;
	});
}

// --- The triage officers' side ------------------------------------------------------------------

export interface WaitingRequest {
	id: number;
	reference: string;
	caseReference: string;
	product: string;
	grounds: string[];
	sentAt: Date;
	/** Whole days since it was sent. */
	ageDays: number;
	targetDate: string;
	/** An acceptance waiting for a second officer, and who proposed it. */
	proposal: { outcome: TriageOutcome; by: number } | null;
	/** How often a proposed acceptance of it was sent back by the second officer. */
	sentBack: number;
}

/** The requests waiting for a decision, in arrival order (first in, first out). */
export async function listWaitingRequests(
	db: Db,
	options: { now?: Date; limit?: number } = {}
): Promise<WaitingRequest[]> {
	const now = options.now ?? new Date();
	const rows = await repo.findWaitingRequests(db, options.limit ?? 200);
	return rows.map((r) => ({
		id: r.id,
		reference: r.reference!,
		caseReference: r.case_reference,
		product: r.product_code,
		grounds: r.grounds,
		sentAt: r.sent_at!,
		ageDays: Math.floor((now.getTime() - r.sent_at!.getTime()) / DAY_MS),
		targetDate: r.target_date!,
		proposal:
			r.proposed_outcome && r.proposed_by !== null
				? { outcome: r.proposed_outcome, by: r.proposed_by }
				: null,
		sentBack: Number(r.sent_back ?? 0)
	}));
}

export interface DecisionView {
	outcome: TriageOutcome;
	conditionsVersion: number;
	conditionsMet: string[];
	reasons: string[];
	reasonText: string;
	decidedBy: number;
	decidedAt: Date;
	confirmedBy: number | null;
	effectiveAt: Date | null;
	documentsDeletedAt: Date | null;
}

function toDecision(row: NonNullable<Awaited<ReturnType<typeof repo.findDecision>>>): DecisionView {
	return {
		outcome: row.outcome,
		conditionsVersion: row.conditions_version,
		conditionsMet: row.conditions_met,
		reasons: row.reasons,
		reasonText: row.reason_text,
		decidedBy: row.decided_by,
		decidedAt: row.decided_at,
		confirmedBy: row.confirmed_by,
		effectiveAt: row.effective_at,
		documentsDeletedAt: row.documents_deleted_at
	};
}

/** A sent request as the officers see it, with its documents and decision; the reading is audited. */
export async function getRequestForOfficer(
	db: Db,
	input: { requestId: number; actor: TriageActor }
) {
	const row = await repo.findRequestForStaff(db, input.requestId);
	if (!row) throw triageErrors.error('not_found');
	const [documents, decision, conditions, returned] = await Promise.all([
		repo.findDocumentsOfRequest(db, row.id),
		repo.findDecision(db, row.id),
		getConditions(db),
		repo.findReturnedProposals(db, row.id)
	]);
	await inTransaction(db, (trx) =>
		recordAuditAfterCommit(trx, input.actor, {
			action: 'triage.request.read',
			caseId: row.case_id,
			subject: row.reference
		})
	);
	return {
		request: {
			...toRequest(row),
			caseReference: row.case_reference,
			product: row.product_code,
			stage: row.stage_code,
			stream: row.stream
		},
		documents: documents.map(toDocument),
		decision: decision ? toDecision(decision) : null,
		conditions,
		returned
	};
}

export interface DecideInput {
	requestId: number;
	actor: TriageActor;
	outcome: TriageOutcomeName;
	/** The version of the conditions the officer tested against (the one their page showed). */
	conditionsVersion: number;
	conditionsMet: string[];
	reasons: string[];
	reasonText: string;
	now?: Date;
	config?: TriageConfig;
}

/**
 * Decides a sent request. A refusal takes effect at once. An acceptance takes effect at once
 * when four eyes is off, and otherwise waits for a second officer's `confirmDecision`.
 */
export async function decideRequest(db: Db, input: DecideInput): Promise<{ effective: boolean }> {
	const now = input.now ?? new Date();
	const config = input.config ?? triageConfig();
	const templates: readonly string[] = REASON_TEMPLATES[input.outcome] ?? [];
	if (!templates.length) throw triageErrors.error('outcome_required');
	const reasons = [...new Set(input.reasons)];
	if (reasons.some((r) => !templates.includes(r))) throw triageErrors.error('reason_unknown');
	const reasonText = input.reasonText.trim();
	if (reasons.length === 0) throw triageErrors.error('reason_required');
	if (reasonText.length > TRIAGE_LIMITS.reasonTextMax) throw triageErrors.error('invalid');
	return inTransaction(db, async (trx) => {
		const request = await repo.lockRequest(trx, input.requestId);
		if (!request || request.status === 'draft') throw triageErrors.error('not_found');
		if (request.status !== 'sent') throw triageErrors.error('already_decided');
		if (await repo.findDecision(trx, request.id)) throw triageErrors.error('already_decided');
		const current = await repo.findCurrentConditionVersion(trx);
		if (current !== input.conditionsVersion) throw triageErrors.error('conditions_changed');
		const active = (await repo.findConditions(trx, current)).filter((c) => c.active);
		const met = [...new Set(input.conditionsMet)];
		if (met.some((code) => !active.some((c) => c.code === code)))
			throw triageErrors.error('condition_unknown');
		const effective = input.outcome === 'not_accepted' || !config.fourEyes;
		const decision = await repo.insertDecision(trx, {
			request_id: request.id,
			outcome: input.outcome,
			conditions_version: current,
			conditions_met: met,
			reasons,
			reason_text: reasonText,
			decided_by: input.actor.userId,
			decided_at: now,
			effective_at: effective ? now : null
		});
		await recordAuditAfterCommit(trx, input.actor, {
			action: effective ? 'triage.decision.made' : 'triage.decision.proposed',
			caseId: request.case_id,
			subject: request.reference,
			details: {
				decision: decision.id,
				outcome: input.outcome,
				conditionsVersion: current,
				conditionsMet: met,
				reasons
			}
		});
		if (effective) await takeEffect(trx, request, input.outcome, now, input.actor);
		return { effective };
	});
}

/**
 * Locks a request with an acceptance waiting for a second officer, and that proposal; the officer
 * who proposed it may neither confirm it nor send it back.
 */
async function lockProposal(trx: Trx, requestId: number, actor: TriageActor) {
	const request = await repo.lockRequest(trx, requestId);
	if (!request || request.status === 'draft') throw triageErrors.error('not_found');
	const decision = await repo.findDecision(trx, request.id);
	if (!decision || decision.effective_at !== null || request.status !== 'sent')
		throw triageErrors.error('nothing_to_confirm');
	if (decision.decided_by === actor.userId) throw triageErrors.error('own_decision');
	return { request, decision };
}

/**
 * A second officer confirms a proposed acceptance: the decision takes effect and the case moves
 * to the priority stream, in this one transaction. The officer who proposed it cannot confirm it.
 */
export async function confirmDecision(
	db: Db,
	input: { requestId: number; actor: TriageActor; now?: Date }
): Promise<void> {
	const now = input.now ?? new Date();
	await inTransaction(db, async (trx) => {
		const { request, decision } = await lockProposal(trx, input.requestId, input.actor);
		await repo.confirmDecision(trx, decision.id, input.actor.userId, now);
		await recordAuditAfterCommit(trx, input.actor, {
			action: 'triage.decision.confirmed',
			caseId: request.case_id,
			subject: request.reference,
			details: { decision: decision.id, outcome: decision.outcome, proposedBy: decision.decided_by }
		});
		await takeEffect(trx, request, decision.outcome, now, input.actor);
	});
}

/** The decision's effect, inside its transaction: the request decided, the case moved, the feed told. */
async function takeEffect(
	trx: Trx,
	request: { id: number; reference: string | null; case_id: number; case_reference: string },
	outcome: TriageOutcome,
	now: Date,
	actor: TriageActor
) {
	await repo.markDecided(trx, request.id, now);
	if (outcome === 'accepted') {
		await moveCaseToStream(trx, request.case_id, 'priority');
		await recordAuditAfterCommit(trx, actor, {
			action: 'queue.stream.changed',
			caseId: request.case_id,
			subject: request.case_reference,
			details: { stream: 'priority', request: request.reference }
		});
	}
	await recordChanges(trx, [
		{
			kind: 'triage_decided',
			appointmentId: null,
			caseReference: request.case_reference,
			data: {
				request: request.reference,
				outcome,
				stream: outcome === 'accepted' ? 'priority' : 'normal'
			}
		}
	]);
	await notifyApplicant(trx, request.case_id, 'triage_decided', {
		reference: request.reference ?? ''
	});
}

// --- Retention ----------------------------------------------------------------------------------

export interface TriageHousekeepingResult {
	/** Documents of requests decided or withdrawn more than the retention period ago. */
	documents: number;
	/** Drafts not sent within a day, deleted with their files. */
	drafts: number;
}

/** Deletes what the retention rules say must go. Safe to run at any time, on any instance. */
export async function runTriageHousekeeping(
	db: Db,
	now = new Date(),
	config: TriageConfig = triageConfig()
): Promise<TriageHousekeepingResult> {
	const documents = await db
		.transaction()
		.execute((trx) =>
			repo.deleteDocumentsBefore(trx, new Date(now.getTime() - config.retentionDays * DAY_MS), now)
		);
	const drafts = await repo.deleteDraftsBefore(db, new Date(now.getTime() - config.draftMaxAgeMs));
	return { documents, drafts };
}

// --- Figures ------------------------------------------------------------------------------------

export interface TriageWeek {
	/** The Monday the week starts, `YYYY-MM-DD`. */
	week: string;
	sent: number;
	decided: number;
	accepted: number;
	/** The share of the decided requests that were accepted, or null when none were decided. */
	acceptedShare: number | null;
	/** Average days from sending to the decision, or null when none were decided. */
	daysToDecision: number | null;
}

/** The back office's figures: requests per week of sending, the share accepted, the time to decision. */
export async function getTriageFigures(
	db: Db,
	options: { now?: Date; weeks?: number } = {}
): Promise<TriageWeek[]> {
	const now = options.now ?? new Date();
	const since = new Date(now.getTime() - (options.weeks ?? 8) * 7 * DAY_MS);
	const rows = await repo.findWeeklyFigures(db, since);
	return rows.map((r) => ({
		week: r.week,
		sent: r.sent,
		decided: r.decided,
		accepted: r.accepted,
		acceptedShare: r.decided ? r.accepted / r.decided : null,
		daysToDecision: r.days_to_decision === null ? null : Number(r.days_to_decision)
	}));
}

// --- Public figures -------------------------------------------------------------------------------

/** How many complete calendar months the public statistics page shows. */
export const PUBLIC_MONTHS = 6;
/**
 * A public count from 1 to this minus one is not shown: with so few requests a month, a count
 * could point to a person (a known case with a known outcome). Zero and larger counts are shown.
 */
export const PUBLIC_MINIMUM_COUNT = 5;

export interface PublicTriageMonth {
	/** The first and last day of the month, `YYYY-MM-DD`. */
	firstDay: string;
	lastDay: string;
	/** Requests sent in the month; null when 1 to 4 (not shown). */
	received: number | null;
	/** Decisions that took effect in the month, by outcome; null when 1 to 4. */
	accepted: number | null;
	notAccepted: number | null;
}

export interface PublicTriageFigures {
	/** The last complete months, oldest first. */
	months: PublicTriageMonth[];
	minimum: number;
}

function publicCount(n: number): number | null {
	return n > 0 && n < PUBLIC_MINIMUM_COUNT ? null : n;
}

/**
 * Counts only, for the public statistics page: requests for faster handling received, accepted
 * and not accepted per month. No grounds, reasons or anything else about a request. Only
 * complete months count, so that a figure does not change after it is first shown.
 */
export async function getPublicTriageFigures(db: Db, now: Date): Promise<PublicTriageFigures> {
	const thisMonth = `${dutchDate(now).slice(0, 7)}-01`;
	const from = addMonths(thisMonth, -PUBLIC_MONTHS);
	const rows = await repo.findMonthlyCounts(db, { from, until: thisMonth });
	const byMonth = new Map(rows.map((r) => [r.month, r]));
	return {
		minimum: PUBLIC_MINIMUM_COUNT,
		months: Array.from({ length: PUBLIC_MONTHS }, (_, i) => {
			const firstDay = addMonths(from, i);
			const row = byMonth.get(firstDay);
			return {
				firstDay,
				lastDay: addDays(addMonths(firstDay, 1), -1),
				received: publicCount(row?.received ?? 0),
				accepted: publicCount(row?.accepted ?? 0),
				notAccepted: publicCount(row?.not_accepted ?? 0)
			};
		})
	};
}

// --- Four eyes, the other way -------------------------------------------------------------------

/** A proposed acceptance a second officer sent back, with why (`returnReason`). */
export type ReturnedProposal = Awaited<ReturnType<typeof repo.findReturnedProposals>>[number];

/**
 * The second officer refuses to confirm a proposed acceptance and sends it back with a short
 * reason: nothing takes effect, the applicant is not told, and the request waits for a new
 * decision (by any officer). The officer who proposed it cannot send it back either.
 */
export async function returnDecision(
	db: Db,
	input: { requestId: number; actor: TriageActor; reason: string; now?: Date }
): Promise<void> {
	const now = input.now ?? new Date();
	const reason = input.reason.trim();
	if (!reason) throw triageErrors.error('return_reason_required');
	if (reason.length > TRIAGE_LIMITS.returnReasonMax)
		throw triageErrors.error('return_reason_too_long');
	await inTransaction(db, async (trx) => {
		const { request, decision } = await lockProposal(trx, input.requestId, input.actor);
		if (
			!(await repo.returnProposal(trx, decision.id, {
				returned_by: input.actor.userId,
				returned_at: now,
				return_reason: reason
			}))
		)
			throw triageErrors.error('nothing_to_confirm');
		await recordAuditAfterCommit(trx, input.actor, {
			action: 'triage.decision.returned',
			caseId: request.case_id,
			subject: request.reference,
			details: {
				decision: decision.id,
				outcome: decision.outcome,
				proposedBy: decision.decided_by,
				reason
			}
		});
	});
}
