import { expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines';
import { getPublicTriageFigures, getTriageFigures } from '$lib/server/triage/triage.service';
import {
	config as fourEyes,
	decide,
	newOfficer,
	newWaitingApplicant,
	sentRequest
} from './fixtures';
import type { Db } from '$lib/server/db';
import { getStatistics } from '$lib/server/statistics/statistics.service';
import { statisticsToCsv, statisticsToJson } from '$lib/server/statistics/statistics.export';

const config = { ...fourEyes, fourEyes: false };
const DAY = 86_400_000;

async function sendAt(db: Db, at: Date) {
	const a = await newWaitingApplicant(db);
	const draft = { grounds: ['safety'], explanation: 'Threatened.', healthConsent: false };
	return (await sentRequest(db, a, { draft, files: [], now: at, config })).id;
}

/** Decides as a new officer, without four eyes: the decision takes effect at `at`. */
async function decider(db: Db) {
	const officer = await newOfficer(db);
	return (requestId: number, outcome: 'accepted' | 'not_accepted', at: Date) =>
		decide(db, requestId, officer, {
			outcome,
			conditionsMet: [],
			reasons: [outcome === 'accepted' ? 'safety_at_risk' : 'not_urgent'],
			reasonText: '',
			now: at,
			config
		});
}

describeEachEngine('the triage figures', ({ db }) => {
	it('count requests per week of sending, the share accepted and the days to a decision', async () => {
		const decide = await decider(db());
		// Monday 23 and Wednesday 25 November 2026; a decision two and four days later.
		const monday = new Date('2026-11-23T09:00:00Z');
		const wednesday = new Date('2026-11-25T09:00:00Z');
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

describeEachEngine('the public counts of requests for faster handling', ({ db }) => {
	// Wednesday 2 December 2026: the six complete months are June to November.
	const now = new Date('2026-12-02T08:00:00Z');

	it('count per complete month, and hide a count from 1 to 4', async () => {
		const decide = await decider(db());
		// October: two sent, one accepted in October.
		const october = [
			await sendAt(db(), new Date('2026-10-15T09:00:00Z')),
			await sendAt(db(), new Date('2026-10-16T09:00:00Z'))
		];
		await decide(october[0], 'accepted', new Date('2026-10-20T09:00:00Z'));
		// November: six sent (one at half past midnight on 1 November in Dutch time); five not
		// accepted and one, from October, accepted in November.
		const november = [await sendAt(db(), new Date('2026-10-31T23:30:00Z'))];
		for (let i = 0; i < 5; i++) november.push(await sendAt(db(), new Date('2026-11-10T09:00:00Z')));
		for (const id of november.slice(0, 5))
			await decide(id, 'not_accepted', new Date('2026-11-20T09:00:00Z'));
		await decide(october[1], 'accepted', new Date('2026-11-30T22:59:00Z'));
		// December is not complete: not counted yet.
		await sendAt(db(), new Date('2026-12-01T09:00:00Z'));

		const figures = await getPublicTriageFigures(db(), now);
		expect(figures.minimum).toBe(5);
		expect(figures.months.map((m) => m.firstDay)).toEqual([
			'2026-06-01',
			'2026-07-01',
			'2026-08-01',
			'2026-09-01',
			'2026-10-01',
			'2026-11-01'
		]);
		expect(figures.months[0]).toEqual({
			firstDay: '2026-06-01',
			lastDay: '2026-06-30',
			received: 0,
			accepted: 0,
			notAccepted: 0
		});
		expect(figures.months[4]).toEqual({
			firstDay: '2026-10-01',
			lastDay: '2026-10-31',
			received: null,
			accepted: null,
			notAccepted: 0
		});
		expect(figures.months[5]).toEqual({
			firstDay: '2026-11-01',
			lastDay: '2026-11-30',
			received: 6,
			accepted: null,
			notAccepted: 5
		});

		// The open data carry the same counts, and nothing about a request itself.
		const stats = await getStatistics(db(), now);
		const json = statisticsToJson(stats, 'en');
		expect(json.priorityRequests.months[5]).toEqual(figures.months[5]);
		expect(JSON.stringify(json.priorityRequests)).not.toMatch(/safety|not_urgent|VSB-/);
		const csv = statisticsToCsv(stats, 'en');
		expect(csv).toContain('priority_requests_received,2026-11-01,2026-11-30,6');
		expect(csv).toContain('priority_requests_accepted,2026-11-01,2026-11-30,\n');
		expect(csv).toContain('priority_requests_not_accepted,2026-11-01,2026-11-30,5');
	});
});
