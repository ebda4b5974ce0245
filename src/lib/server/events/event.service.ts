import type { Db } from '$lib/server/db';
import type {
	CaseStatus,
	DocumentRequestResolution,
	Outcome,
	QueueStream,
	Stage
} from '$lib/server/db/schema';
import { latestExtendedDeadline, legalDeadline, type Term } from '$lib/server/cases/deadline';
import { dutchDate } from '$lib/time';
import * as repo from './event.repository';
import { listProducts, type ProductWithStages } from '$lib/server/products/products.service';
import { parseBatch, type EventError, type IncomingEvent } from './event.validation';
import { eventErrors, type EventErrorCode } from './event.errors';
import { recordAudit, type Actor } from '$lib/server/audit/audit.service';
import {
	knownLocationCodes,
	openInvitations,
	releaseCases,
	releasePassedStages,
	type NewInvitation
} from '$lib/server/planning/invitation.service';
import { queuePush, type PushNotice } from '$lib/server/push/push.service';

interface OpenEntry {
	id: number | null;
	stageCode: string;
	stream: QueueStream;
	enteredAt: Date;
}

/** A request for missing documents; `id` is null until it is stored. */
interface DocumentRequest {
	id: number | null;
	eventId: string;
	missing: string[];
	note: string | null;
	sendBefore: string;
	requestedAt: Date;
	resolvedAt: Date | null;
	resolution: DocumentRequestResolution | null;
}

/** A case as the batch sees it while applying events in memory. */
interface CaseState {
	id: number | null;
	reference: string;
	vNumber: string;
	product: ProductWithStages;
	sponsorKvk: string | null;
	language: string;
	submittedAt: Date;
	deadline: string;
	originalDeadline: string;
	deadlineReason: string | null;
	stageCode: string;
	stageEnteredAt: Date;
	stream: QueueStream;
	status: CaseStatus;
	outcome: Outcome | null;
	lastEventAt: Date;
	openEntry: OpenEntry | null;
	closedEntries: { id: number; leftAt: Date }[];
	newEntries: (OpenEntry & { leftAt: Date | null })[];
	/** The open request for documents, stored or made by this batch. */
	openRequest: DocumentRequest | null;
	/** Stored requests this batch resolves, and those it makes (resolved in it or not). */
	resolvedRequests: { id: number; resolvedAt: Date; resolution: DocumentRequestResolution }[];
	newRequests: DocumentRequest[];
	applicant: repo.ApplicantRow | null;
	/** Hearing invitations this batch opens. */
	invitations: Omit<NewInvitation, 'caseId'>[];
	/** Set when the case ends in this batch: its invitations and appointment are released. */
	released: 'case_withdrawn' | 'case_decided' | null;
	/** Set when the case enters a stage in this batch: invitations of earlier stages end. */
	enteredPosition: number | null;
	/** Set when an existing case moves to another stage or is decided: its applicant is told. */
	stageChanged: boolean;
	changed: boolean;
}

/** An applicant as stored, and whether they have activated their account. */
export interface StoredIdentity {
	name: string;
	birthDate: string;
	activated: boolean;
}

/** What the handlers may consult besides the case itself. */
export interface BatchContext {
	products: Map<string, ProductWithStages>;
	/** By V-number, for the applicants of the batch's case.submitted events that exist already. */
	identities: Map<string, StoredIdentity>;
	/** The hearing location codes the batch's hearing.invited events name that exist. */
	locationCodes: Set<string>;
}

/** One event's refusal; the batch collects them into its `rejected` error. */
function reject(code: EventErrorCode, field: string, detail: string) {
	return eventErrors.error(code, { field, detail });
}

function rejectBatch(errors: EventError[]) {
	return eventErrors.error('rejected', {
		errors,
		detail: `${new Set(errors.map((e) => e.index)).size} event(s) of the batch were refused and nothing of it was stored; correct the events that errors names and send the batch again`
	});
}

function term(value: number, unit: Term['unit']): Term {
	return { value, unit };
}

function stageOf(product: ProductWithStages, code: string): Stage {
	const stage = product.stages.find((s) => s.code === code);
	if (!stage) {
		const known = product.stages.map((s) => s.code).join(', ');
		throw reject(
			'unknown_stage',
			'data.stage',
			`stage "${code}" does not exist for product ${product.code}; known: ${known}`
		);
	}
	return stage;
}

function leaveQueue(state: CaseState, at: Date): void {
	const entry = state.openEntry;
	if (!entry) return;
	if (entry.id === null) {
		const pending = state.newEntries.find((e) => e === entry);
		if (pending) pending.leftAt = at;
	} else {
		state.closedEntries.push({ id: entry.id, leftAt: at });
	}
	state.openEntry = null;
}

/** The request is answered or overtaken: the case moved on, was decided or withdrawn, or asked again. */
function resolveRequest(state: CaseState, at: Date, resolution: DocumentRequestResolution): void {
	const request = state.openRequest;
	if (!request) return;
	if (request.id === null) {
		request.resolvedAt = at;
		request.resolution = resolution;
	} else {
		state.resolvedRequests.push({ id: request.id, resolvedAt: at, resolution });
	}
	state.openRequest = null;
}

function enterStage(state: CaseState, stage: Stage, at: Date): void {
	leaveQueue(state, at);
	state.stageCode = stage.code;
	state.stageEnteredAt = at;
	if (stage.kind === 'queue') {
		const entry = {
			id: null,
			stageCode: stage.code,
			stream: state.stream,
			enteredAt: at,
			leftAt: null
		};
		state.newEntries.push(entry);
		state.openEntry = entry;
	}
}

function requireOpen(state: CaseState): void {
	if (state.status !== 'open')
		throw reject(
			'case_closed',
			'case',
			`case ${state.reference} is ${state.status}; it takes no further events of this type`
		);
}

function requireInOrder(state: CaseState, event: IncomingEvent): void {
	if (event.occurredAt < state.lastEventAt) {
		throw reject(
			'out_of_order',
			'occurredAt',
			`is ${event.occurredAt.toISOString()}, older than the last event of case ${state.reference} (${state.lastEventAt.toISOString()}); send events in the order they happened`
		);
	}
}

/**
 * Once the applicant has activated an account, the birth date and name it was opened with are theirs:
 * the feed may not change them (a changed birth date would also stop them from activating again).
 */
function requireSameIdentity(
	stored: StoredIdentity | undefined,
	vNumber: string,
	applicant: { name: string; birthDate: string }
): void {
	if (!stored?.activated) return;
	const changed = [
		stored.birthDate !== applicant.birthDate && 'birthDate',
		stored.name !== applicant.name && 'name'
	].filter((f): f is string => !!f);
	if (changed.length === 0) return;
	throw reject(
		'identity_locked',
		`data.applicant.${changed[0]}`,
		`differs from the ${changed.map((f) => (f === 'birthDate' ? 'birth date' : f)).join(' and ')} of applicant ${vNumber}, who has activated an account; correct the identity with the IND's identity process, not through the feed`
	);
}

type Handler = (
	state: CaseState | undefined,
	event: IncomingEvent,
	context: BatchContext
) => CaseState;

function existing(state: CaseState | undefined, event: IncomingEvent): CaseState {
	if (!state)
		throw reject(
			'unknown_case',
			'case',
			`case ${event.case} is unknown; send its case.submitted event first`
		);
	requireInOrder(state, event);
	return state;
}

/** How each event type changes a case. New capabilities register their types here. */
export const eventHandlers: Record<IncomingEvent['type'], Handler> = {
	'case.submitted'(state, event, { products, identities }) {
		if (event.type !== 'case.submitted') throw new Error('unreachable');
		// Also what keeps the V-number of a case from changing: no event can give a case another applicant.
		if (state) throw reject('case_exists', 'case', `case ${event.case} already exists`);
		const product = products.get(event.data.product);
		if (!product)
			throw reject(
				'unknown_product',
				'data.product',
				`product "${event.data.product}" is unknown; known: ${[...products.keys()].join(', ')}`
			);
		if (event.data.applicant.birthDate > dutchDate(event.occurredAt))
			throw reject('invalid', 'data.applicant.birthDate', 'lies after the submission date');
		requireSameIdentity(
			identities.get(event.data.vNumber),
			event.data.vNumber,
			event.data.applicant
		);
		const deadline = legalDeadline(event.occurredAt, term(product.term_value, product.term_unit));
		const created: CaseState = {
			id: null,
			reference: event.case,
			vNumber: event.data.vNumber,
			product,
			sponsorKvk: event.data.sponsorKvk ?? null,
			language: event.data.applicant.language,
			submittedAt: event.occurredAt,
			deadline,
			originalDeadline: deadline,
			deadlineReason: null,
			stageCode: product.stages[0].code,
			stageEnteredAt: event.occurredAt,
			stream: 'normal',
			status: 'open',
			outcome: null,
			lastEventAt: event.occurredAt,
			openEntry: null,
			closedEntries: [],
			newEntries: [],
			openRequest: null,
			resolvedRequests: [],
			newRequests: [],
			applicant: {
				v_number: event.data.vNumber,
				name: event.data.applicant.name,
				birth_date: event.data.applicant.birthDate,
				language: event.data.applicant.language,
				email: event.data.applicant.email ?? null
			},
			invitations: [],
			released: null,
			enteredPosition: null,
			stageChanged: false,
			changed: true
		};
		enterStage(created, product.stages[0], event.occurredAt);
		return created;
	},
	'case.stage_entered'(current, event) {
		if (event.type !== 'case.stage_entered') throw new Error('unreachable');
		const state = existing(current, event);
		const stage = stageOf(state.product, event.data.stage);
		if (state.status === 'withdrawn') requireOpen(state);
		if (state.status === 'decided') {
			const decision = state.product.stages.find((s) => s.kind === 'final');
			if (!decision || stage.position <= decision.position) {
				throw reject(
					'stage_not_allowed',
					'data.stage',
					`case ${state.reference} is decided; only stages after the decision can follow`
				);
			}
		}
		if (stage.code === state.stageCode)
			throw reject(
				'stage_not_allowed',
				'data.stage',
				`case ${state.reference} is already in stage ${stage.code}`
			);
		// A case waiting for documents always says which: only a request enters that stage.
		if (stage.kind === 'documents')
			throw reject(
				'stage_not_allowed',
				'data.stage',
				`stage ${stage.code} is entered with a case.documents_requested event, which says what is missing`
			);
		resolveRequest(state, event.occurredAt, 'stage_changed');
		enterStage(state, stage, event.occurredAt);
		state.enteredPosition = stage.position;
		state.stageChanged = true;
		return state;
	},
	'case.decided'(current, event) {
		if (event.type !== 'case.decided') throw new Error('unreachable');
		const state = existing(current, event);
		requireOpen(state);
		const decision = state.product.stages.find((s) => s.kind === 'final');
		const currentStage = stageOf(state.product, state.stageCode);
		resolveRequest(state, event.occurredAt, 'case_decided');
		if (decision && currentStage.position < decision.position)
			enterStage(state, decision, event.occurredAt);
		else leaveQueue(state, event.occurredAt);
		state.status = 'decided';
		state.outcome = event.data.outcome;
		state.released = 'case_decided';
		state.stageChanged = true;
		return state;
	},
	'case.withdrawn'(current, event) {
		const state = existing(current, event);
		requireOpen(state);
		resolveRequest(state, event.occurredAt, 'case_withdrawn');
		leaveQueue(state, event.occurredAt);
		state.status = 'withdrawn';
		state.released = 'case_withdrawn';
		return state;
	},
	'case.deadline_extended'(current, event) {
		if (event.type !== 'case.deadline_extended') throw new Error('unreachable');
		const state = existing(current, event);
		requireOpen(state);
		const { product } = state;
		if (event.data.deadline <= state.deadline) {
			throw reject(
				'deadline_not_allowed',
				'data.deadline',
				`must be later than the current deadline ${state.deadline}`
			);
		}
		const extension =
			product.extension_value && product.extension_unit
				? term(product.extension_value, product.extension_unit)
				: null;
		const latest = latestExtendedDeadline(
			state.submittedAt,
			term(product.term_value, product.term_unit),
			extension
		);
		if (event.data.deadline > latest) {
			throw reject(
				'deadline_not_allowed',
				'data.deadline',
				`lies after ${latest}, the latest deadline the law allows for ${product.code}`
			);
		}
		state.deadline = event.data.deadline;
		state.deadlineReason = event.data.reason;
		return state;
	},
	'case.sponsor_changed'(current, event) {
		if (event.type !== 'case.sponsor_changed') throw new Error('unreachable');
		// Also after the decision: a sponsor that stops sponsoring loses sight of the case.
		const state = existing(current, event);
		state.sponsorKvk = event.data.sponsorKvk;
		return state;
	},
	/**
	 * Herstel verzuim. The case waits for the applicant, so it leaves its queue: it is not counted
	 * ahead of anyone while the IND cannot work on it. A new request replaces an open one.
	 */
	'case.documents_requested'(current, event) {
		if (event.type !== 'case.documents_requested') throw new Error('unreachable');
		const state = existing(current, event);
		requireOpen(state);
		const stage = state.product.stages.find((s) => s.kind === 'documents');
		if (!stage)
			throw reject(
				'no_documents_stage',
				'type',
				`product ${state.product.code} has no stage for missing documents; its cases take no case.documents_requested events`
			);
		if (event.data.before < dutchDate(event.occurredAt))
			throw reject('invalid', 'data.before', 'lies before the request itself');
		resolveRequest(state, event.occurredAt, 'replaced');
		if (state.stageCode !== stage.code) {
			enterStage(state, stage, event.occurredAt);
			state.stageChanged = true;
		}
		const request: DocumentRequest = {
			id: null,
			eventId: event.id,
			missing: [...new Set(event.data.missing)],
			note: event.data.note || null,
			sendBefore: event.data.before,
			requestedAt: event.occurredAt,
			resolvedAt: null,
			resolution: null
		};
		state.newRequests.push(request);
		state.openRequest = request;
		return state;
	},
	'hearing.invited'(current, event, { locationCodes }) {
		if (event.type !== 'hearing.invited') throw new Error('unreachable');
		const state = existing(current, event);
		requireOpen(state);
		const unknown = event.data.locations.filter((code) => !locationCodes.has(code));
		if (unknown.length)
			throw reject(
				'unknown_location',
				'data.locations',
				`location ${unknown.join(', ')} is unknown to the planner; create it first`
			);
		if (event.data.bookBefore < dutchDate(event.occurredAt))
			throw reject('invalid', 'data.bookBefore', 'lies before the invitation itself');
		state.invitations.push({
			kind: event.data.kind,
			bookBefore: event.data.bookBefore,
			locations: [...new Set(event.data.locations)],
			interpreterLanguage: event.data.interpreterLanguage ?? null,
			interpreterInPerson: event.data.interpreterInPerson ?? false,
			sourceEventId: event.id,
			stagePosition: stageOf(state.product, state.stageCode).position
		});
		return state;
	}
};

function stateFromRow(
	row: Awaited<ReturnType<typeof repo.findCasesForUpdate>>[number],
	product: ProductWithStages
): CaseState {
	return {
		id: row.id,
		reference: row.reference,
		vNumber: row.v_number,
		product,
		sponsorKvk: row.sponsor_kvk,
		language: row.language,
		submittedAt: row.submitted_at,
		deadline: row.deadline,
		originalDeadline: row.original_deadline,
		deadlineReason: row.deadline_reason,
		stageCode: row.stage_code,
		stageEnteredAt: row.stage_entered_at,
		stream: row.stream,
		status: row.status,
		outcome: row.outcome,
		lastEventAt: row.last_event_at,
		openEntry: null,
		closedEntries: [],
		newEntries: [],
		openRequest: null,
		resolvedRequests: [],
		newRequests: [],
		applicant: null,
		invitations: [],
		released: null,
		enteredPosition: null,
		stageChanged: false,
		changed: false
	};
}

function toCaseRow(state: CaseState, applicantId: number): repo.CaseRow {
	return {
		id: state.id,
		reference: state.reference,
		applicant_id: applicantId,
		product_code: state.product.code,
		sponsor_kvk: state.sponsorKvk,
		language: state.language,
		submitted_at: state.submittedAt.toISOString(),
		deadline: state.deadline,
		original_deadline: state.originalDeadline,
		deadline_reason: state.deadlineReason,
		stage_code: state.stageCode,
		stage_entered_at: state.stageEnteredAt.toISOString(),
		stream: state.stream,
		status: state.status,
		outcome: state.outcome,
		last_event_at: state.lastEventAt.toISOString()
	};
}

/** One push per case and kind, however many events of the batch caused it. */
function pushNotices(changed: CaseState[]): PushNotice[] {
	return changed.flatMap((s) => [
		...(s.stageChanged ? [{ caseId: s.id!, kind: 'stage_changed' as const }] : []),
		...(s.invitations.length ? [{ caseId: s.id!, kind: 'hearing_invited' as const }] : [])
	]);
}

/** `ok` is always true: a refused batch throws `eventErrors` `rejected`, with each event's error. */
export interface IngestResult {
	ok: true;
	accepted: number;
	duplicates: number;
}

/**
 * Applies a batch of case-system events all-or-nothing. Events already stored (by id) are
 * counted as duplicates and change nothing, so a batch can be replayed safely.
 */
export async function ingestEvents(
	db: Db,
	body: unknown,
	options: { actor?: Actor; now?: Date } = {}
): Promise<IngestResult> {
	const parsed = parseBatch(body, options.now);
	if (!parsed.ok) throw rejectBatch(parsed.errors);
	const events = parsed.events;
	if (events.length === 0) return { ok: true, accepted: 0, duplicates: 0 };
	return db.transaction().execute(async (trx) => {
		const references = events.map((e) => e.case);
		await repo.lockReferences(trx, references);
		const known = await repo.findExistingEventIds(
			trx,
			events.map((e) => e.id)
		);
		const fresh = events.filter((e) => !known.has(e.id));
		if (fresh.length === 0) return { ok: true as const, accepted: 0, duplicates: events.length };

		const products = new Map((await listProducts(trx)).map((p) => [p.code, p]));
		const identities = await repo.lockApplicantIdentities(
			trx,
			fresh.flatMap((e) => (e.type === 'case.submitted' ? [e.data.vNumber] : []))
		);
		const locationCodes = await knownLocationCodes(
			trx,
			fresh.flatMap((e) => (e.type === 'hearing.invited' ? e.data.locations : []))
		);
		const context: BatchContext = { products, identities, locationCodes };
		const rows = await repo.findCasesForUpdate(trx, [...new Set(fresh.map((e) => e.case))]);
		const states = new Map<string, CaseState>();
		for (const row of rows)
			states.set(row.reference, stateFromRow(row, products.get(row.product_code)!));
		const byId = new Map(rows.map((r) => [r.id, states.get(r.reference)!]));
		for (const entry of await repo.findOpenQueueEntries(
			trx,
			rows.map((r) => r.id)
		)) {
			byId.get(entry.case_id)!.openEntry = {
				id: entry.id,
				stageCode: entry.stage_code,
				stream: entry.stream,
				enteredAt: entry.entered_at
			};
		}

		for (const request of await repo.findOpenDocumentRequests(
			trx,
			rows.map((r) => r.id)
		)) {
			byId.get(request.case_id)!.openRequest = {
				id: request.id,
				eventId: request.event_id,
				missing: request.missing,
				note: request.note,
				sendBefore: request.send_before,
				requestedAt: request.requested_at,
				resolvedAt: null,
				resolution: null
			};
		}

		const errors: EventError[] = [];
		const indexOf = new Map(events.map((e, i) => [e, i]));
		for (const event of fresh) {
			const index = indexOf.get(event)!;
			try {
				const next = eventHandlers[event.type](states.get(event.case), event, context);
				next.lastEventAt =
					event.occurredAt > next.lastEventAt ? event.occurredAt : next.lastEventAt;
				next.changed = true;
				states.set(event.case, next);
			} catch (error) {
				if (!eventErrors.is(error)) throw error;
				const code = error.code as EventErrorCode;
				errors.push({ index, field: error.field, code, message: error.message });
			}
		}
		if (errors.length) throw rejectBatch(errors);

		const changed = [...states.values()].filter((s) => s.changed);
		const applicantIds = await repo.upsertApplicants(trx, [
			...new Map(changed.filter((s) => s.applicant).map((s) => [s.vNumber, s.applicant!])).values()
		]);
		const newCases = changed.filter((s) => s.id === null);
		const caseIds = await repo.insertCases(
			trx,
			newCases.map((s) => toCaseRow(s, applicantIds.get(s.vNumber)!))
		);
		for (const s of newCases) s.id = caseIds.get(s.reference)!;
		await repo.updateCases(
			trx,
			changed.filter((s) => !newCases.includes(s)).map((s) => toCaseRow(s, 0))
		);
		await repo.closeQueueEntries(
			trx,
			changed.flatMap((s) =>
				s.closedEntries.map((e) => ({ id: e.id, left_at: e.leftAt.toISOString() }))
			)
		);
		await repo.insertQueueEntries(
			trx,
			changed.flatMap((s) =>
				s.newEntries.map((e) => ({
					case_id: s.id!,
					product_code: s.product.code,
					stage_code: e.stageCode,
					stream: e.stream,
					entered_at: e.enteredAt.toISOString(),
					left_at: e.leftAt?.toISOString() ?? null
				}))
			)
		);
		await repo.insertEvents(
			trx,
			fresh.map((e) => ({
				id: e.id,
				case_id: states.get(e.case)!.id!,
				type: e.type,
				occurred_at: e.occurredAt.toISOString(),
				data: e.data
			}))
		);
		// Resolved first: a case has one open request at a time.
		await repo.resolveDocumentRequests(
			trx,
			changed.flatMap((s) =>
				s.resolvedRequests.map((r) => ({
					id: r.id,
					resolved_at: r.resolvedAt.toISOString(),
					resolution: r.resolution
				}))
			)
		);
		await repo.insertDocumentRequests(
			trx,
			changed.flatMap((s) =>
				s.newRequests.map((r) => ({
					case_id: s.id!,
					event_id: r.eventId,
					missing: r.missing,
					note: r.note,
					send_before: r.sendBefore,
					requested_at: r.requestedAt.toISOString(),
					resolved_at: r.resolvedAt?.toISOString() ?? null,
					resolution: r.resolution
				}))
			)
		);
		await openInvitations(
			trx,
			changed.flatMap((s) => s.invitations.map((i) => ({ ...i, caseId: s.id! })))
		);
		for (const reason of ['case_withdrawn', 'case_decided'] as const)
			await releaseCases(
				trx,
				changed.filter((s) => s.released === reason).map((s) => s.id!),
				reason,
				options.now ?? new Date()
			);
		await releasePassedStages(
			trx,
			changed
				.filter((s) => s.enteredPosition !== null && !s.released)
				.map((s) => ({ caseId: s.id!, position: s.enteredPosition! })),
			options.now ?? new Date()
		);
		await queuePush(trx, pushNotices(changed));
		if (options.actor) {
			await recordAudit(trx, options.actor, {
				action: 'events.ingested',
				details: {
					accepted: fresh.length,
					duplicates: events.length - fresh.length,
					cases: states.size
				}
			});
		}
		return {
			ok: true as const,
			accepted: fresh.length,
			duplicates: events.length - fresh.length
		};
	});
}
