import { TIME_ZONE } from '$lib/time';
import { stringify } from 'csv-stringify/sync';
import { translator } from '$lib/i18n';
import type { Statistics } from './statistics.service';

/** How long browsers and shared caches may keep the figures; the service recomputes them as often. */
export const CACHE_SECONDS = 300;

export function exportHeaders(
	stats: Statistics,
	lang: string,
	contentType: string
): Record<string, string> {
	return {
		'Content-Type': contentType,
		'Cache-Control': `public, max-age=${CACHE_SECONDS}`,
		'Last-Modified': stats.computedAt.toUTCString(),
		'Content-Language': lang,
		// The product and stage names follow the language, which may come from the cookie or the header.
		Vary: 'Accept-Language, Cookie'
	};
}

function roundedDays(days: number | null): number | null {
	return days === null ? null : Math.round(days * 10) / 10;
}

/** The figures as open data, with names in the reader's language beside the stable codes. */
export function statisticsToJson(stats: Statistics, lang: string) {
	const t = translator(lang);
	return {
		computedAt: stats.computedAt.toISOString(),
		timeZone: TIME_ZONE,
		language: lang,
		weeks: stats.weeks,
		medianWindow: stats.medianWindow,
		hearings: {
			noShow: {
				...stats.hearings.noShow,
				share:
					stats.hearings.noShow.share === null
						? null
						: Math.round(stats.hearings.noShow.share * 1000) / 1000
			},
			firstFreeSlot: {
				...stats.hearings.firstFreeSlot,
				medianDays: roundedDays(stats.hearings.firstFreeSlot.medianDays)
			}
		},
		// Counts only; a count from 1 to minimum − 1 is null (not shown), zero stays zero.
		priorityRequests: stats.priorityRequests,
		queues: stats.queues.map((q) => ({
			product: q.product,
			productName: t(`domain:product.${q.product}.name`),
			stage: q.stage,
			stageName: t(`domain:stage.${q.product}.${q.stage}.name`),
			waiting: q.waiting,
			weeklyExits: q.weeklyExits,
			recentExits: q.recentExits,
			medianWaitDays: roundedDays(q.medianWaitDays),
			newcomerWaitWeeks:
				q.newcomer.kind === 'estimate'
					? {
							low: roundedDays(q.newcomer.lowWeeks),
							point: roundedDays(q.newcomer.pointWeeks),
							high: roundedDays(q.newcomer.highWeeks),
							confidence: q.newcomer.confidence
						}
					: null
		}))
	};
}

/** One row per figure (tidy data): waiting now, left the queue per week, and the median wait. */
export function statisticsToCsv(stats: Statistics, lang: string): string {
	const t = translator(lang);
	const computedAt = stats.computedAt.toISOString();
	const rows = stats.queues.flatMap((q) => {
		const queue = {
			computed_at: computedAt,
			product: q.product,
			product_name: t(`domain:product.${q.product}.name`),
			stage: q.stage,
			stage_name: t(`domain:stage.${q.product}.${q.stage}.name`)
		};
		return [
			{ ...queue, figure: 'waiting', first_day: '', last_day: '', value: q.waiting },
			...q.weeklyExits.map((w) => ({
				...queue,
				figure: 'left_queue',
				first_day: w.firstDay,
				last_day: w.lastDay,
				value: w.exits
			})),
			{
				...queue,
				figure: 'median_wait_days',
				first_day: stats.medianWindow.firstDay,
				last_day: stats.medianWindow.lastDay,
				value: roundedDays(q.medianWaitDays) ?? ''
			},
			...(q.newcomer.kind === 'estimate'
				? [
						{
							...queue,
							figure: 'newcomer_wait_weeks_low',
							first_day: '',
							last_day: '',
							value: roundedDays(q.newcomer.lowWeeks)
						},
						{
							...queue,
							figure: 'newcomer_wait_weeks',
							first_day: '',
							last_day: '',
							value: roundedDays(q.newcomer.pointWeeks)
						},
						{
							...queue,
							figure: 'newcomer_wait_weeks_high',
							first_day: '',
							last_day: '',
							value: roundedDays(q.newcomer.highWeeks)
						}
					]
				: [])
		];
	});
	const { noShow, firstFreeSlot } = stats.hearings;
	const hearing = {
		computed_at: computedAt,
		product: '',
		product_name: '',
		stage: '',
		stage_name: ''
	};
	rows.push(
		{
			...hearing,
			figure: 'hearing_no_show_share',
			first_day: noShow.firstDay,
			last_day: noShow.lastDay,
			value: noShow.share === null ? '' : Math.round(noShow.share * 1000) / 1000
		},
		{
			...hearing,
			figure: 'hearing_median_days_to_first_free_slot',
			first_day: '',
			last_day: '',
			value: roundedDays(firstFreeSlot.medianDays) ?? ''
		},
		...stats.priorityRequests.months.flatMap((m) =>
			(
				[
					['priority_requests_received', m.received],
					['priority_requests_accepted', m.accepted],
					['priority_requests_not_accepted', m.notAccepted]
				] as const
			).map(([figure, value]) => ({
				...hearing,
				figure,
				first_day: m.firstDay,
				last_day: m.lastDay,
				// Empty when from 1 to 4: too few to show without pointing to a person.
				value: value ?? ''
			}))
		)
	);
	return stringify(rows, {
		header: true,
		bom: true,
		columns: [
			'computed_at',
			'product',
			'product_name',
			'stage',
			'stage_name',
			'figure',
			'first_day',
			'last_day',
			'value'
		]
	});
}
