import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeEachEngine } from '../helpers/engines';
import { stageEntered } from '../helpers/factories';
import { ingestEvents } from '$lib/server/events/event.service';
import { listCaseChanges } from '$lib/server/changes/change.service';
import {
	addDocuments,
	confirmDecision,
	getConditions,
	getPriorityRequestPage,
	getRequestForOfficer,
	listWaitingRequests,
	publishConditions,
	readDocument,
	returnDecision,
	runTriageHousekeeping,
	saveDraft,
	sendRequest,
	startRequest,
	triageConfig,
	withdrawRequest
} from '$lib/server/triage/triage.service';
import {
	NOW,
	config,
	decide,
	draft,
	executable,
	newOfficer,
	newWaitingApplicant,
	pdf,
	png,
	refusal,
	sentRequest,
	streamsOf,
	type TriageApplicant
} from './fixtures';
import type { Db } from '$lib/server/db';

/** A sent request whose acceptance the first of two officers proposed. */
async function proposedAcceptance(db: Db) {
	const a = await newWaitingApplicant(db);
	const request = await sentRequest(db, a);
	const first = await newOfficer(db);
	const second = await newOfficer(db);
	expect(await decide(db, request.id, first)).toEqual({ effective: false });
	return { a, request, first, second };
}

describeEachEngine('a request for faster handling', ({ db, engine }) => {
	it('keeps one open request per case under two submissions at once', async () => {
		const a = await newWaitingApplicant(db());
		const results = await Promise.allSettled([
			startRequest(db(), { reference: a.reference, actor: a.triageActor }),
			startRequest(db(), { reference: a.reference, actor: a.triageActor })
		]);
		const ids = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.id] : []));
		expect(ids.length).toBeGreaterThanOrEqual(1);
		expect(new Set(ids).size).toBe(1);
		expect(results.filter((r) => r.status === 'fulfilled' && r.value.created)).toHaveLength(1);
		const rows = await db()
			.selectFrom('triage_request')
			.select('id')
			.where('case_id', '=', a.caseId)
			.execute();
		expect(rows).toHaveLength(1);

		// Two sends at once: one sends, the other finds nothing left to send.
		await saveDraft(db(), { reference: a.reference, actor: a.triageActor, draft, now: NOW });
		const sends = await Promise.allSettled([
			sendRequest(db(), {
				reference: a.reference,
				actor: a.triageActor,
				declaration: true,
				config
			}),
			sendRequest(db(), { reference: a.reference, actor: a.triageActor, declaration: true, config })
		]);
		expect(sends.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
		expect(sends.find((s) => s.status === 'rejected')).toMatchObject({
			reason: { code: 'not_draft' }
		});
		// And the database itself refuses a second open request, whatever the code does.
		await expect(
			db()
				.insertInto('triage_request')
				.values({ case_id: a.caseId, created_by: a.userId })
				.execute()
		).rejects.toThrow(/triage_request_one_open/);
		expect(engine).toBeTruthy();
	});

	it('sends only a complete request, and gives a receipt with a target date', async () => {
		const a = await newWaitingApplicant(db());
		await startRequest(db(), { reference: a.reference, actor: a.triageActor });
		const empty = await refusal(
			sendRequest(db(), {
				reference: a.reference,
				actor: a.triageActor,
				declaration: false,
				config
			})
		);
		expect(empty).toMatchObject({ code: 'grounds_required' });
		expect(
			(empty as unknown as { options: { errors: { code: string }[] } }).options.errors.map(
				(e) => e.code
			)
		).toEqual(['grounds_required', 'explanation_required', 'declaration_required']);
		// Health is a ground: consent to process health data is asked.
		expect(
			await refusal(
				saveDraft(db(), {
					reference: a.reference,
					actor: a.triageActor,
					draft: { ...draft, healthConsent: false }
				})
			)
		).toMatchObject({ code: 'health_consent_required', field: 'healthConsent' });
		expect(
			await refusal(
				saveDraft(db(), {
					reference: a.reference,
					actor: a.triageActor,
					draft: { ...draft, grounds: ['lottery'] }
				})
			)
		).toMatchObject({ code: 'ground_unknown' });
		await saveDraft(db(), { reference: a.reference, actor: a.triageActor, draft, now: NOW });
		const receipt = await sendRequest(db(), {
			reference: a.reference,
			actor: a.triageActor,
			declaration: true,
			now: NOW,
			config
		});
		expect(receipt.reference).toMatch(/^VSB-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
		expect(receipt.targetDate).toBe('2026-12-16');
		const page = await getPriorityRequestPage(db(), { reference: a.reference, userId: a.userId });
		expect(page.open).toMatchObject({ status: 'sent', reference: receipt.reference });
		// Another applicant, or a forged reference, finds nothing.
		const b = await newWaitingApplicant(db());
		expect(
			await refusal(getPriorityRequestPage(db(), { reference: a.reference, userId: b.userId }))
		).toMatchObject({ code: 'not_found' });
		expect(
			await refusal(startRequest(db(), { reference: a.reference, actor: b.triageActor }))
		).toMatchObject({ code: 'not_found' });
	});

	it('stores documents by their content type, at most five, and only for those allowed', async () => {
		const a = await newWaitingApplicant(db());
		await startRequest(db(), { reference: a.reference, actor: a.triageActor });
		const count = async () =>
			Number(
				(
					await db()
						.selectFrom('triage_document')
						.innerJoin('triage_request', 'triage_request.id', 'triage_document.request_id')
						.select((eb) => eb.fn.countAll<number>().as('n'))
						.where('triage_request.case_id', '=', a.caseId)
						.executeTakeFirstOrThrow()
				).n
			);
		// A renamed executable is refused, and with it the good file of the same upload.
		expect(
			await refusal(
				addDocuments(db(), {
					reference: a.reference,
					actor: a.triageActor,
					files: [
						{ name: 'brief.pdf', bytes: pdf() },
						{ name: 'scan.pdf', bytes: executable() }
					]
				})
			)
		).toMatchObject({ code: 'document_type', field: 'documents' });
		expect(await count()).toBe(0);
		const docs = await addDocuments(db(), {
			reference: a.reference,
			actor: a.triageActor,
			files: [
				{ name: 'C:\\Users\\amal\\brief.pdf', bytes: pdf() },
				{ name: 'foto.jpg', bytes: png() }
			]
		});
		expect(docs.map((d) => [d.label, d.contentType])).toEqual([
			['brief.pdf', 'application/pdf'],
			['foto.jpg', 'image/png']
		]);
		expect(
			await refusal(
				addDocuments(db(), {
					reference: a.reference,
					actor: a.triageActor,
					files: Array.from({ length: 4 }, (_, i) => ({ name: `${i}.pdf`, bytes: pdf() }))
				})
			)
		).toMatchObject({ code: 'too_many_documents' });
		expect(await count()).toBe(2);

		const own = await readDocument(db(), {
			documentId: docs[0].id,
			reader: { kind: 'applicant', actor: a.triageActor }
		});
		expect(new TextDecoder().decode(own.content)).toContain('%PDF-1.4');
		const b = await newWaitingApplicant(db());
		expect(
			await refusal(
				readDocument(db(), {
					documentId: docs[0].id,
					reader: { kind: 'applicant', actor: b.triageActor }
				})
			)
		).toMatchObject({ code: 'not_found' });
		expect(
			await refusal(
				readDocument(db(), {
					documentId: 'not-a-uuid',
					reader: { kind: 'applicant', actor: a.triageActor }
				})
			)
		).toMatchObject({ code: 'not_found' });
		// An officer does not see a draft's documents.
		const officer = await newOfficer(db());
		expect(
			await refusal(
				readDocument(db(), { documentId: docs[0].id, reader: { kind: 'officer', actor: officer } })
			)
		).toMatchObject({ code: 'not_found' });
	});

	it('four eyes: an officer cannot confirm their own acceptance; a second officer can', async () => {
		const { a, request, first, second } = await proposedAcceptance(db());
		// Proposed, not in effect: the case has not moved.
		expect(await streamsOf(db(), a.caseId)).toEqual({ case: 'normal', entries: ['normal'] });
		expect(
			await refusal(confirmDecision(db(), { requestId: request.id, actor: first, now: NOW }))
		).toMatchObject({ code: 'own_decision', kind: 'forbidden' });
		// The database refuses it as well.
		await expect(
			sql`update triage_decision set confirmed_by = decided_by, confirmed_at = now() where request_id = ${request.id}`.execute(
				db()
			)
		).rejects.toThrow(/triage_decision_four_eyes/);
		expect(await refusal(decide(db(), request.id, second))).toMatchObject({
			code: 'already_decided'
		});

		await confirmDecision(db(), { requestId: request.id, actor: second, now: NOW });
		expect(await streamsOf(db(), a.caseId)).toEqual({ case: 'priority', entries: ['priority'] });
		expect(
			await refusal(confirmDecision(db(), { requestId: request.id, actor: second, now: NOW }))
		).toMatchObject({ code: 'nothing_to_confirm' });
		const page = await getPriorityRequestPage(db(), { reference: a.reference, userId: a.userId });
		expect(page.open).toBeNull();
		expect(page.past[0]).toMatchObject({ outcome: 'accepted', reasons: ['health_at_risk'] });
		expect(page.stream).toBe('priority');
		expect(page.blocked).toBe('already_priority');

		// The case system learns the decision; the later queue stages keep the priority stream.
		const changes = await listCaseChanges(db(), 0, 1000);
		expect(changes.filter((c) => c.case === a.reference)).toEqual([
			expect.objectContaining({
				kind: 'triage_decided',
				data: { request: request.reference, outcome: 'accepted', stream: 'priority' }
			})
		]);
		await ingestEvents(db(), {
			events: [stageEntered(a.reference, '2026-12-01T09:00:00Z', 'detailed_interview_queue')]
		});
		expect(await streamsOf(db(), a.caseId)).toEqual({ case: 'priority', entries: ['priority'] });

		// Every step is in the audit log.
		const actions = await db()
			.selectFrom('audit_pending')
			.select('action')
			.where('case_id', '=', a.caseId)
			.unionAll(db().selectFrom('audit_event').select('action').where('case_id', '=', a.caseId))
			.execute();
		expect(actions.map((r) => r.action)).toEqual(
			expect.arrayContaining([
				'triage.request.started',
				'triage.documents.added',
				'triage.request.sent',
				'triage.decision.proposed',
				'triage.decision.confirmed',
				'queue.stream.changed'
			])
		);
	});

	it('four eyes, the other way: the second officer sends a proposed acceptance back with a reason', async () => {
		const { a, request, first, second } = await proposedAcceptance(db());
		const sendBack = (actor: typeof first, reason: string) =>
			returnDecision(db(), { requestId: request.id, actor, reason, now: NOW });

		// Not the proposer, and not without a short reason.
		expect(await refusal(sendBack(first, 'On second thought.'))).toMatchObject({
			code: 'own_decision',
			kind: 'forbidden'
		});
		expect(await refusal(sendBack(second, '   '))).toMatchObject({
			code: 'return_reason_required',
			field: 'returnReason'
		});
		expect(await refusal(sendBack(second, 'x'.repeat(1001)))).toMatchObject({
			code: 'return_reason_too_long'
		});
		const later = new Date(NOW.getTime() + 3_600_000);
		await returnDecision(db(), {
			requestId: request.id,
			actor: second,
			reason: '  The documents do not show that the operation depends on the permit.  ',
			now: later
		});

		// Nothing took effect: the case stays in the normal stream, the applicant still waits.
		expect(await streamsOf(db(), a.caseId)).toEqual({ case: 'normal', entries: ['normal'] });
		const page = await getPriorityRequestPage(db(), { reference: a.reference, userId: a.userId });
		expect(page.open).toMatchObject({ status: 'sent' });
		expect(page.past).toEqual([]);
		// The request waits for a new decision, in its place in the line, without a proposal.
		const waiting = await listWaitingRequests(db(), { now: NOW, limit: 1000 });
		expect(waiting.find((w) => w.id === request.id)).toMatchObject({
			proposal: null,
			sentBack: 1
		});
		expect(
			await refusal(confirmDecision(db(), { requestId: request.id, actor: second, now: later }))
		).toMatchObject({ code: 'nothing_to_confirm' });
		expect(await refusal(sendBack(second, 'Again.'))).toMatchObject({
			code: 'nothing_to_confirm'
		});

		// The proposer sees why.
		const view = await getRequestForOfficer(db(), { requestId: request.id, actor: first });
		expect(view.decision).toBeNull();
		expect(view.returned).toEqual([
			{
				outcome: 'accepted',
				reasons: ['health_at_risk'],
				reasonText: 'The operation cannot wait.',
				proposedBy: first.userId,
				proposedAt: NOW,
				returnedBy: second.userId,
				returnedAt: later,
				returnReason: 'The documents do not show that the operation depends on the permit.'
			}
		]);

		// A new decision: proposed again, by the other officer this time, and confirmed.
		expect(await decide(db(), request.id, second)).toEqual({ effective: false });
		await confirmDecision(db(), { requestId: request.id, actor: first, now: later });
		expect(await streamsOf(db(), a.caseId)).toEqual({ case: 'priority', entries: ['priority'] });
		// The database holds the rule as well: nobody sends back their own proposal.
		await expect(
			sql`insert into triage_returned_proposal (request_id, outcome, conditions_version,
				conditions_met, reasons, reason_text, proposed_by, proposed_at, returned_by, returned_at,
				return_reason)
				values (${request.id}, 'accepted', 1, '{}', '{}', '', ${first.userId}, now(),
				${first.userId}, now(), 'x')`.execute(db())
		).rejects.toThrow(/triage_returned_four_eyes/);

		const actions = await db()
			.selectFrom('audit_pending')
			.select(['action', 'details'])
			.where('case_id', '=', a.caseId)
			.unionAll(
				db().selectFrom('audit_event').select(['action', 'details']).where('case_id', '=', a.caseId)
			)
			.execute();
		expect(actions.find((r) => r.action === 'triage.decision.returned')?.details).toMatchObject({
			outcome: 'accepted',
			proposedBy: first.userId,
			reason: 'The documents do not show that the operation depends on the permit.'
		});
	});

	it('e-mails the applicant in their language when a decision takes effect, and not while an acceptance waits', async () => {
		const mailsTo = (email: string) =>
			db()
				.selectFrom('email_outbox')
				.select(['subject', 'body_text'])
				.where('to_address', '=', email)
				.orderBy('id')
				.execute();
		const speaks = (a: TriageApplicant, language: string) =>
			db().updateTable('app_user').set({ language }).where('id', '=', a.userId).execute();
		const first = await newOfficer(db());
		const second = await newOfficer(db());

		// Accepted, in Arabic: a receipt when it is sent, nothing while the acceptance waits or
		// after it is sent back, and one e-mail when the second officer's confirmation puts it in effect.
		const ar = await newWaitingApplicant(db());
		await speaks(ar, 'ar');
		const accepted = await sentRequest(db(), ar);
		expect(await mailsTo(ar.email)).toEqual([
			expect.objectContaining({
				subject: `استلمنا طلبك لمعالجة أسرع (${accepted.reference})`
			})
		]);
		await decide(db(), accepted.id, first);
		await returnDecision(db(), {
			requestId: accepted.id,
			actor: second,
			reason: 'Check the conditions again.',
			now: NOW
		});
		await decide(db(), accepted.id, first);
		expect(await mailsTo(ar.email)).toHaveLength(1);
		await confirmDecision(db(), { requestId: accepted.id, actor: second, now: NOW });
		const arabic = await mailsTo(ar.email);
		expect(arabic).toHaveLength(2);
		expect(arabic[1].subject).toBe(`صدر قرار بشأن طلبك لمعالجة أسرع (${accepted.reference})`);
		expect(arabic[1].body_text).toContain('سجّل الدخول إلى Mijn Aanvraag لقراءة القرار');

		// Not accepted, in Dutch: the e-mail goes at once.
		const nl = await newWaitingApplicant(db());
		await speaks(nl, 'nl');
		const refused = await sentRequest(db(), nl);
		await decide(db(), refused.id, first, {
			outcome: 'not_accepted',
			reasons: ['not_urgent'],
			reasonText: 'Your operation is planned after our expected decision.'
		});
		const dutch = await mailsTo(nl.email);
		expect(dutch.map((m) => m.subject)).toEqual([
			`We hebben uw verzoek om snellere behandeling ontvangen (${refused.reference})`,
			`Er is een besluit over uw verzoek om snellere behandeling (${refused.reference})`
		]);
		// The e-mail only says that there is a decision: the outcome, the reasons and the health
		// data stay behind the sign-in.
		for (const mail of [...dutch, ...arabic]) {
			expect(mail.body_text).not.toContain('operation');
			expect(mail.body_text).not.toMatch(/niet toegekend|toegekend|not_urgent|health/);
		}
	});

	it('without four eyes an acceptance takes effect at once; a refusal always does', async () => {
		const a = await newWaitingApplicant(db());
		const request = await sentRequest(db(), a);
		const officer = await newOfficer(db());
		const outcome = await decide(db(), request.id, officer, {
			outcome: 'not_accepted',
			conditionsMet: ['evidence'],
			reasons: ['not_urgent'],
			reasonText: ''
		});
		expect(outcome).toEqual({ effective: true });
		expect(await streamsOf(db(), a.caseId)).toEqual({ case: 'normal', entries: ['normal'] });
		const page = await getPriorityRequestPage(db(), { reference: a.reference, userId: a.userId });
		expect(page.past[0]).toMatchObject({ outcome: 'not_accepted', reasons: ['not_urgent'] });
		// A new request after a decision asks what changed.
		expect(page.asksWhatChanged).toBe(true);
		const next = await startRequest(db(), { reference: a.reference, actor: a.triageActor });
		await saveDraft(db(), { reference: a.reference, actor: a.triageActor, draft });
		expect(
			await refusal(
				sendRequest(db(), {
					reference: a.reference,
					actor: a.triageActor,
					declaration: true,
					config
				})
			)
		).toMatchObject({ code: 'what_changed_required', field: 'whatChanged' });
		await saveDraft(db(), {
			reference: a.reference,
			actor: a.triageActor,
			draft: { ...draft, whatChanged: 'The hospital set a date for the operation.' }
		});
		await sendRequest(db(), {
			reference: a.reference,
			actor: a.triageActor,
			declaration: true,
			config
		});
		const other = await newOfficer(db());
		expect(
			await decide(db(), next.id, other, {
				conditionsMet: ['evidence', 'urgency', 'caused_by_wait'],
				reasons: ['conditions_met'],
				reasonText: 'The date of the operation is set.',
				config: { ...config, fourEyes: false }
			})
		).toEqual({ effective: true });
		expect(await streamsOf(db(), a.caseId)).toEqual({ case: 'priority', entries: ['priority'] });
	});

	it('moves the case in the same transaction as the decision: a failure in between changes neither', async () => {
		const { a, request, second } = await proposedAcceptance(db());
		// A real failure in the middle: the database refuses to move this case's queue entry.
		await sql
			.raw(
				`create function refuse_move_${a.caseId}() returns trigger language plpgsql as $$
				begin raise exception 'refused for the test'; end $$`
			)
			.execute(db());
		await sql
			.raw(
				`create trigger refuse_move_${a.caseId} before update on queue_entry for each row
				when (new.case_id = ${a.caseId} and new.stream = 'priority') execute function refuse_move_${a.caseId}()`
			)
			.execute(db());
		const changesBefore = (await listCaseChanges(db(), 0, 10_000)).length;
		await expect(
			confirmDecision(db(), { requestId: request.id, actor: second, now: NOW })
		).rejects.toThrow(/refused for the test/);
		const decision = await db()
			.selectFrom('triage_decision')
			.select(['confirmed_by', 'effective_at'])
			.where('request_id', '=', request.id)
			.executeTakeFirstOrThrow();
		expect(decision).toEqual({ confirmed_by: null, effective_at: null });
		const status = await db()
			.selectFrom('triage_request')
			.select('status')
			.where('id', '=', request.id)
			.executeTakeFirstOrThrow();
		expect(status.status).toBe('sent');
		expect(await streamsOf(db(), a.caseId)).toEqual({ case: 'normal', entries: ['normal'] });
		expect((await listCaseChanges(db(), 0, 10_000)).length).toBe(changesBefore);

		await sql.raw(`drop trigger refuse_move_${a.caseId} on queue_entry`).execute(db());
		await confirmDecision(db(), { requestId: request.id, actor: second, now: NOW });
		expect(await streamsOf(db(), a.caseId)).toEqual({ case: 'priority', entries: ['priority'] });
	});

	it('versions the conditions: a decision records the version it was tested against', async () => {
		const admin = await newOfficer(db());
		const before = await getConditions(db());
		const a = await newWaitingApplicant(db());
		const request = await sentRequest(db(), a);
		const officer = await newOfficer(db());
		const published = await publishConditions(db(), {
			baseVersion: before.version,
			actor: admin,
			conditions: [
				...before.conditions.map((c) =>
					c.code === 'no_other_remedy' ? { ...c, active: false } : c
				),
				{
					code: 'lawyer_statement',
					textNl: 'Een advocaat heeft de situatie beschreven.',
					textEn: 'A lawyer has described the situation.',
					active: true
				}
			]
		});
		expect(published).toBe(before.version + 1);
		// The old version is kept as it was, and cannot be changed.
		expect(await getConditions(db(), before.version)).toEqual(before);
		await expect(
			sql`update triage_condition set text_en = 'changed' where version = ${before.version}`.execute(
				db()
			)
		).rejects.toThrow(/never changed/);
		// An edit made from the old version is refused: someone published in between.
		expect(
			await refusal(
				publishConditions(db(), {
					baseVersion: before.version,
					actor: admin,
					conditions: before.conditions
				})
			)
		).toMatchObject({ code: 'conditions_changed' });
		// A decision tested against the old version is refused; against the new one it is recorded.
		const attempt = (version: number, met: string[]) =>
			decide(db(), request.id, officer, {
				outcome: 'not_accepted',
				conditionsVersion: version,
				conditionsMet: met,
				reasons: ['no_evidence'],
				reasonText: 'The documents do not show the situation.'
			});
		expect(await refusal(attempt(before.version, ['evidence']))).toMatchObject({
			code: 'conditions_changed'
		});
		expect(await refusal(attempt(published, ['no_other_remedy']))).toMatchObject({
			code: 'condition_unknown'
		});
		await attempt(published, ['lawyer_statement']);
		const decision = await db()
			.selectFrom('triage_decision')
			.select(['conditions_version', 'conditions_met'])
			.where('request_id', '=', request.id)
			.executeTakeFirstOrThrow();
		expect(decision).toEqual({
			conditions_version: published,
			conditions_met: ['lawyer_statement']
		});
	});

	it('retention: documents go a set number of days after the decision, the decision stays; unsent drafts go after a day', async () => {
		const a = await newWaitingApplicant(db());
		const request = await sentRequest(db(), a);
		await decide(db(), request.id, await newOfficer(db()), {
			outcome: 'not_accepted',
			conditionsMet: [],
			reasons: ['no_evidence'],
			reasonText: ''
		});
		// A withdrawn request's documents go on the same schedule.
		const w = await newWaitingApplicant(db());
		await sentRequest(db(), w);
		await withdrawRequest(db(), { reference: w.reference, actor: w.triageActor, now: NOW });
		// A draft with a file, started two days ago, and one started now.
		const stale = await newWaitingApplicant(db());
		await startRequest(db(), { reference: stale.reference, actor: stale.triageActor });
		await addDocuments(db(), {
			reference: stale.reference,
			actor: stale.triageActor,
			files: [{ name: 'a.pdf', bytes: pdf() }]
		});
		const fresh = await newWaitingApplicant(db());
		await startRequest(db(), { reference: fresh.reference, actor: fresh.triageActor });
		const now = new Date();
		await sql`update triage_request set created_at = ${new Date(now.getTime() - 2 * 86_400_000)} where case_id = ${stale.caseId}`.execute(
			db()
		);
		const documentsOf = async (caseId: number) =>
			Number(
				(
					await db()
						.selectFrom('triage_document')
						.innerJoin('triage_request', 'triage_request.id', 'triage_document.request_id')
						.select((eb) => eb.fn.countAll<number>().as('n'))
						.where('triage_request.case_id', '=', caseId)
						.executeTakeFirstOrThrow()
				).n
			);

		// First the drafts (at the real clock, their age counts from now): the old one and its file are gone, the new one stays.
		const drafts = await runTriageHousekeeping(db(), now, config);
		expect(drafts.drafts).toBeGreaterThanOrEqual(1);
		const left = await db()
			.selectFrom('triage_request')
			.select('case_id')
			.where('case_id', 'in', [stale.caseId, fresh.caseId])
			.execute();
		expect(left).toEqual([{ case_id: fresh.caseId }]);
		expect(await documentsOf(stale.caseId)).toBe(0);

		// 29 days after the decision: nothing goes yet.
		const day = 86_400_000;
		const early = await runTriageHousekeeping(db(), new Date(NOW.getTime() + 29 * day), config);
		expect(early.documents).toBe(0);
		expect(await documentsOf(a.caseId)).toBe(1);
		const late = await runTriageHousekeeping(db(), new Date(NOW.getTime() + 31 * day), config);
		expect(late.documents).toBeGreaterThanOrEqual(2);
		expect(await documentsOf(a.caseId)).toBe(0);
		expect(await documentsOf(w.caseId)).toBe(0);
		const decision = await db()
			.selectFrom('triage_decision')
			.select(['outcome', 'reasons', 'documents_deleted_at'])
			.where('request_id', '=', request.id)
			.executeTakeFirstOrThrow();
		expect(decision.outcome).toBe('not_accepted');
		expect(decision.reasons).toEqual(['no_evidence']);
		expect(decision.documents_deleted_at).not.toBeNull();
	});

	it('reads its settings from the environment, keeping four eyes on unless explicitly off', () => {
		expect(triageConfig({})).toMatchObject({ targetDays: 14, retentionDays: 90, fourEyes: true });
		expect(triageConfig({ TRIAGE_FOUR_EYES: 'no' }).fourEyes).toBe(true);
		expect(triageConfig({ TRIAGE_FOUR_EYES: 'false', TRIAGE_TARGET_DAYS: '10' })).toMatchObject({
			fourEyes: false,
			targetDays: 10
		});
	});
});
