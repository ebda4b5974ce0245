import { expect, it } from 'vitest';
import { decisionAfterDeadline, getCaseStatus } from '$lib/server/cases/status.service';
import { caseErrors } from '$lib/server/cases/case.errors';
import { recordAudit } from '$lib/server/audit/audit.service';
import { ingestEvents } from '$lib/server/events/event.service';
import { describeEachEngine } from '../helpers/engines';
import {
	applicantPrincipal as applicant,
	newReference,
	stageEntered,
	submitted
} from '../helpers/factories';

it('says the decision falls after the time limit when its whole range does, and may when its end does', () => {
	expect(decisionAfterDeadline('2027-03-02', '2027-05-01', '2027-03-01')).toBe('likely');
	expect(decisionAfterDeadline('2027-02-01', '2027-03-02', '2027-03-01')).toBe('possibly');
	// The last day of the time limit is still within it.
	expect(decisionAfterDeadline('2027-02-01', '2027-03-01', '2027-03-01')).toBeNull();
});

describeEachEngine('case status', ({ db }) => {
	it('gives the timeline, the position among those waiting, the deadline and who else looked', async () => {
		const now = new Date('2026-03-20T12:00:00+01:00');
		const [first, mine] = [newReference(), newReference()];
		const events = [first, mine].flatMap((ref, i) => [
			submitted(ref, '2026-01-05T09:00:00+01:00'),
			stageEntered(ref, '2026-01-06T09:00:00+01:00', 'registration_interview_queue'),
			stageEntered(ref, '2026-01-20T09:00:00+01:00', 'registration_interview'),
			stageEntered(ref, `2026-02-0${2 + i}T09:00:00+01:00`, 'detailed_interview_queue')
		]);
		expect((await ingestEvents(db(), { events })).ok).toBe(true);
		const c = await db()
			.selectFrom('case')
			.select(['id', 'applicant_id'])
			.where('reference', '=', mine)
			.executeTakeFirstOrThrow();
		await recordAudit(
			db(),
			{ userId: 9, role: 'counter', desk: 'Zwolle' },
			{ action: 'case.read', caseId: c.id, reason: 'at the desk' }
		);
		await recordAudit(
			db(),
			{ userId: 10, role: 'applicant' },
			{ action: 'case.read', caseId: c.id }
		);

		const status = await getCaseStatus(db(), applicant(c.applicant_id), mine, now);
		expect(status.stage).toBe('detailed_interview_queue');
		expect(status.timeline.map((s) => [s.stage, s.state])).toEqual([
			['registration', 'done'],
			['registration_interview_queue', 'done'],
			['registration_interview', 'done'],
			['detailed_interview_queue', 'current'],
			['rest_preparation', 'upcoming'],
			['detailed_interview', 'upcoming'],
			['assessment', 'upcoming'],
			['intended_decision', 'upcoming'],
			['decision', 'upcoming']
		]);
		expect(status.queue).toMatchObject({ position: 2, ahead: 1, waiting: 2, stream: 'normal' });
		// Nobody has left this queue yet: no number, never a made-up one.
		expect(status.queue!.turn.kind).not.toBe('estimate');
		expect(status.decision).toBeNull();
		expect(status.deadline).toMatchObject({ date: '2026-07-06', daysLeft: 108, passed: false });
		expect(status.accessLog).toEqual([
			expect.objectContaining({ role: 'counter', desk: 'Zwolle', action: 'case.read' })
		]);
	});

	it("treats another applicant's case exactly like one that does not exist", async () => {
		const ref = newReference();
		await ingestEvents(db(), { events: [submitted(ref, '2026-01-05T09:00:00+01:00')] });
		const owner = await db()
			.selectFrom('case')
			.select('applicant_id')
			.where('reference', '=', ref)
			.executeTakeFirstOrThrow();
		await expect(getCaseStatus(db(), applicant(owner.applicant_id + 1000), ref)).rejects.toSatisfy(
			(e) => caseErrors.is(e, 'not_found')
		);
		await expect(
			getCaseStatus(db(), applicant(owner.applicant_id), 'IND-2026-99999999')
		).rejects.toSatisfy((e) => caseErrors.is(e, 'not_found'));
	});

	it('gives applicants who load their pages at the same moment each their own case, and a stranger none', async () => {
		const refs = [newReference(), newReference(), newReference()];
		await ingestEvents(db(), {
			events: refs.flatMap((ref, i) => [
				submitted(ref, `2026-01-0${5 + i}T09:00:00+01:00`),
				stageEntered(ref, `2026-01-0${6 + i}T09:00:00+01:00`, 'registration_interview_queue')
			])
		});
		const owners = await db()
			.selectFrom('case')
			.select(['reference', 'applicant_id'])
			.where('reference', 'in', refs)
			.execute();
		const ownerOf = new Map(owners.map((o) => [o.reference, o.applicant_id]));
		const now = new Date('2026-03-20T12:00:00+01:00');

		// Read in one statement (db/batched.ts): the first three as their owners, the last by the
		// first case's owner asking for the second case.
		const pages = await Promise.allSettled([
			...refs.map((ref) => getCaseStatus(db(), applicant(ownerOf.get(ref)!), ref, now)),
			getCaseStatus(db(), applicant(ownerOf.get(refs[0])!), refs[1], now)
		]);
		expect(pages.slice(0, 3).map((p) => p.status === 'fulfilled' && p.value.reference)).toEqual(
			refs
		);
		expect(
			pages.slice(0, 3).map((p) => p.status === 'fulfilled' && p.value.queue?.position)
		).toEqual([1, 2, 3]);
		expect(pages[3].status === 'rejected' && caseErrors.is(pages[3].reason, 'not_found')).toBe(
			true
		);
	});
});
