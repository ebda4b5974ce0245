import { describe, expect, it } from 'vitest';
import { statisticsToCsv, statisticsToJson } from '$lib/server/statistics/statistics.export';
import type { Statistics } from '$lib/server/statistics/statistics.service';

const weeks = [
	{ firstDay: '2026-11-09', lastDay: '2026-11-15' },
	{ firstDay: '2026-11-16', lastDay: '2026-11-22' }
];

const stats: Statistics = {
	computedAt: new Date('2026-11-25T11:00:00Z'),
	weeks,
	medianWindow: { firstDay: '2026-11-09', lastDay: '2026-11-22', weeks: 2, minimumExits: 10 },
	hearings: {
		noShow: {
			firstDay: '2026-08-27',
			lastDay: '2026-11-25',
			days: 90,
			marked: 40,
			minimum: 10,
			share: 0.0625
		},
		firstFreeSlot: { openInvitations: 3, withoutSlot: 3, minimum: 5, medianDays: null }
	},
	priorityRequests: {
		minimum: 5,
		months: [
			{ firstDay: '2026-10-01', lastDay: '2026-10-31', received: 7, accepted: null, notAccepted: 0 }
		]
	},
	queues: [
		{
			product: 'nareis',
			stage: 'assessment',
			waiting: 3,
			weeklyExits: [
				{ ...weeks[0], exits: 7 },
				{ ...weeks[1], exits: 5 }
			],
			recentExits: 12,
			medianWaitDays: 5.54,
			newcomer: {
				kind: 'estimate',
				pointWeeks: 0.46,
				lowWeeks: 0.31,
				highWeeks: 0.72,
				throughputPerWeek: 6,
				confidence: 0.8,
				basisWeeks: 2,
				caveats: ['short_history']
			}
		},
		{
			product: 'studie',
			stage: 'assessment',
			waiting: 0,
			weeklyExits: [
				{ ...weeks[0], exits: 1 },
				{ ...weeks[1], exits: 0 }
			],
			recentExits: 1,
			medianWaitDays: null,
			newcomer: {
				kind: 'stalled',
				pointWeeks: null,
				lowWeeks: null,
				highWeeks: null,
				throughputPerWeek: 0,
				confidence: 0.8,
				basisWeeks: 2,
				caveats: ['stalled']
			}
		}
	]
};

describe('statistics export', () => {
	it("gives a newcomer's expected wait where there is one, and none where the queue stalled", () => {
		const body = statisticsToJson(stats, 'en');
		expect(body.queues[0].newcomerWaitWeeks).toEqual({
			low: 0.3,
			point: 0.5,
			high: 0.7,
			confidence: 0.8
		});
		expect(body.queues[1].newcomerWaitWeeks).toBeNull();
		const csv = statisticsToCsv(stats, 'en');
		expect(csv).toContain('newcomer_wait_weeks_high,,,0.7');
		expect(csv).not.toMatch(/studie,[^\n]*newcomer/);
	});

	it('gives JSON with codes, names in the language asked for, and the median to a tenth of a day', () => {
		const body = statisticsToJson(stats, 'en');
		expect(body.computedAt).toBe('2026-11-25T11:00:00.000Z');
		expect(body.queues[0]).toMatchObject({
			product: 'nareis',
			productName: 'Family reunification for refugees (nareis)',
			stage: 'assessment',
			stageName: 'Assessment by the IND',
			waiting: 3,
			recentExits: 12,
			medianWaitDays: 5.5
		});
		expect(body.queues[1].medianWaitDays).toBeNull();
		expect(statisticsToJson(stats, 'nl').queues[0].productName).toBe('Nareis');
	});

	it('gives CSV with one row per figure', () => {
		const csv = statisticsToCsv(stats, 'nl');
		// A byte-order mark, so that Excel reads the file as UTF-8.
		expect(csv.startsWith('\uFEFF')).toBe(true);
		// No field here holds a comma or a quote, so a plain split reads it.
		const [header, ...lines] = csv
			.slice(1)
			.trimEnd()
			.split('\n')
			.map((line) => line.split(','));
		expect(header).toEqual([
			'computed_at',
			'product',
			'product_name',
			'stage',
			'stage_name',
			'figure',
			'first_day',
			'last_day',
			'value'
		]);
		const rows = lines.map((cells) =>
			Object.fromEntries(header.map((name, i) => [name, cells[i]]))
		);
		// Four figures per queue, three more for a queue with a newcomer estimate, two of hearings,
		// and three per month of requests for faster handling.
		expect(rows).toHaveLength(2 * 4 + 3 + 2 + 3);
		expect(rows.slice(-5).map((r) => [r.figure, r.first_day, r.last_day, r.value])).toEqual([
			['hearing_no_show_share', '2026-08-27', '2026-11-25', '0.063'],
			['hearing_median_days_to_first_free_slot', '', '', ''],
			['priority_requests_received', '2026-10-01', '2026-10-31', '7'],
			// Fewer than five is not shown.
			['priority_requests_accepted', '2026-10-01', '2026-10-31', ''],
			['priority_requests_not_accepted', '2026-10-01', '2026-10-31', '0']
		]);
		expect(rows.slice(0, 4).map((r) => [r.figure, r.first_day, r.last_day, r.value])).toEqual([
			['waiting', '', '', '3'],
			['left_queue', '2026-11-09', '2026-11-15', '7'],
			['left_queue', '2026-11-16', '2026-11-22', '5'],
			['median_wait_days', '2026-11-09', '2026-11-22', '5.5']
		]);
		expect(rows[0]).toMatchObject({
			computed_at: '2026-11-25T11:00:00.000Z',
			product: 'nareis',
			product_name: 'Nareis',
			stage: 'assessment'
		});
		expect(rows[10]).toMatchObject({ product: 'studie', figure: 'median_wait_days', value: '' });
	});
});
