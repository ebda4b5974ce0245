import { expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines';
import {
	decideRequest,
	getConditions,
	getTriageFigures,
	saveDraft,
	sendRequest,
	startRequest
} from '$lib/server/triage/triage.service';
import { newOfficer, newWaitingApplicant } from './fixtures';
import type { Db } from '$lib/server/db';

const config = { targetDays: 14, retentionDays: 30, fourEyes: false, draftMaxAgeMs: 86_400_000 };
const DAY = 86_400_000;

async function sendAt(db: Db, at: Date) {
	const a = await newWaitingApplicant(db);
	await startRequest(db, { reference: a.reference, actor: a.triageActor });
	await saveDraft(db, {
		reference: a.reference,
		actor: a.triageActor,
		draft: { grounds: ['safety'], explanation: 'Threatened.', healthConsent: false }
	});
	const receipt = await sendRequest(db, {
		reference: a.reference,
		actor: a.triageActor,
		declaration: true,
		now: at,
		config
	});
	const row = await db
		.selectFrom('triage_request')
		.select('id')
		.where('reference', '=', receipt.reference)
		.executeTakeFirstOrThrow();
	return row.id;
}

describeEachEngine('the triage figures', ({ db }) => {
	it('count requests per week of sending, the share accepted and the days to a decision', async () => {
		const officer = await newOfficer(db());
		const { version } = await getConditions(db());
		// Monday 23 and Wednesday 25 November 2026; a decision two and four days later.
		const monday = new Date('2026-11-23T09:00:00Z');
		const wednesday = new Date('2026-11-25T09:00:00Z');
		const decide = (requestId: number, outcome: 'accepted' | 'not_accepted', at: Date) =>
			decideRequest(db(), {
				requestId,
				actor: officer,
				outcome,
				conditionsVersion: version,
				conditionsMet: [],
				reasons: [outcome === 'accepted' ? 'safety_at_risk' : 'not_urgent'],
				reasonText: '',
				now: at,
				config
			});
		const first = await sendAt(db(), monday);
		const second = await sendAt(db(), wednesday);
		await sendAt(db(), wednesday);
		await decide(first, 'accepted', new Date(monday.getTime() + 2 * DAY));
		await decide(second, 'not_accepted', new Date(wednesday.getTime() + 4 * DAY));

		const weeks = await getTriageFigures(db(), { now: new Date('2026-12-02T08:00:00Z') });
		expect(weeks).toEqual([
			{
				week: '2026-11-23',
				sent: 3,
				decided: 2,
				accepted: 1,
				acceptedShare: 0.5,
				daysToDecision: 3
			}
		]);
	});
});
