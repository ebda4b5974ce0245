import { expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines';
import { getTriageFigures } from '$lib/server/triage/triage.service';
import {
	config as fourEyes,
	decide,
	newOfficer,
	newWaitingApplicant,
	sentRequest
} from './fixtures';
import type { Db } from '$lib/server/db';

const config = { ...fourEyes, fourEyes: false };
const DAY = 86_400_000;

async function sendAt(db: Db, at: Date) {
	const a = await newWaitingApplicant(db);
	const draft = { grounds: ['safety'], explanation: 'Threatened.', healthConsent: false };
	return (await sentRequest(db, a, { draft, files: [], now: at, config })).id;
}

describeEachEngine('the triage figures', ({ db }) => {
	it('count requests per week of sending, the share accepted and the days to a decision', async () => {
		const officer = await newOfficer(db());
		// Monday 23 and Wednesday 25 November 2026; a decision two and four days later.
		const monday = new Date('2026-11-23T09:00:00Z');
		const wednesday = new Date('2026-11-25T09:00:00Z');
		const decideOn = (requestId: number, outcome: 'accepted' | 'not_accepted', at: Date) =>
			decide(db(), requestId, officer, {
				outcome,
				conditionsMet: [],
				reasons: [outcome === 'accepted' ? 'safety_at_risk' : 'not_urgent'],
				reasonText: '',
				now: at,
				config
			});
		const first = await sendAt(db(), monday);
		const second = await sendAt(db(), wednesday);
		await sendAt(db(), wednesday);
		await decideOn(first, 'accepted', new Date(monday.getTime() + 2 * DAY));
		await decideOn(second, 'not_accepted', new Date(wednesday.getTime() + 4 * DAY));

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
