/**
 * The two demo cases that the demo accounts attach to: always in the simulated history, placed
 * in the middle of their queue so that they have cases ahead and behind.
 */
import { addDays, dutchDate } from '$lib/time';
import { previousWorkingDay } from '$lib/server/cases/deadline';
import { MINUTE_MS, officeMoment } from './calendar';
import type { Applicant } from './names';
import { DEMO_TECH_KVK, modelOf, type ProductCode, type ProductModel } from './product-models';
import { push, record, submit, type Context, type SimCase } from './queue-simulation';

/** The fixed demo cases that demo accounts attach to; always in the simulated history. */
export const DEMO_ASYLUM_CASE = {
	reference: 'IND-2026-90000001',
	vNumber: '1000000001',
	name: 'Demo Applicant',
	product: 'asiel',
	/** The queue the case waits in at `now`. */
	stage: 'detailed_interview_queue'
} as const;

export const DEMO_SPONSORED_CASE = {
	reference: 'IND-2026-90000002',
	vNumber: '1000000002',
	name: 'Arjun Mehta',
	product: 'kennismigrant',
	sponsorKvk: DEMO_TECH_KVK,
	stage: 'assessment'
} as const;

/** A moment at office hours, `n` calendar days before `moment` (on or before that working day). */
function daysBefore(ctx: Context, moment: number, n: number): number {
	return officeMoment(previousWorkingDay(addDays(dutchDate(moment), -n)), ctx.random);
}

/** Just after the middle one of the cases still waiting in a queue at `now` entered it. */
function medianWaitingEntry(
	ctx: Context,
	cases: SimCase[],
	product: ProductCode,
	stage: string
): number | null {
	const entries = cases
		.filter((c) => c.status === 'waiting' && c.model.code === product)
		.map((c) => c.events[c.events.length - 1])
		.filter((e) => e.event.type === 'case.stage_entered' && e.event.data.stage === stage)
		.map((e) => e.at)
		.sort((a, b) => a - b);
	return entries.length
		? Math.min(entries[Math.floor(entries.length / 2)] + MINUTE_MS, ctx.now)
		: null;
}

function pinnedCase(
	model: ProductModel,
	reference: string,
	vNumber: string,
	applicant: Applicant,
	sponsorKvk: string | null,
	submittedAt: number
): SimCase {
	return {
		reference,
		model,
		vNumber,
		applicant,
		sponsorKvk,
		submittedAt,
		outcome: 'granted',
		withdrawAt: null,
		takes: new Set(),
		nextAt: submittedAt,
		status: 'active',
		events: []
	};
}

/** Follows `stages` at the given moments and leaves the case waiting in the last one. */
function followPinned(ctx: Context, c: SimCase, steps: [stage: string, at: number][]): SimCase {
	submit(ctx, c);
	let previous = c.submittedAt;
	for (const [stage, at] of steps) {
		// Two steps can fall on the same working day; keep them in order.
		previous = Math.max(at, previous + 30 * MINUTE_MS);
		record(ctx, c, previous, 'case.stage_entered', { stage });
	}
	c.status = 'waiting';
	return c;
}

/** The demo cases join their queue in the middle of those waiting, so they have people ahead and behind. */
export function demoCases(ctx: Context, generated: SimCase[]): SimCase[] {
	const asylumEntry =
		medianWaitingEntry(ctx, generated, DEMO_ASYLUM_CASE.product, DEMO_ASYLUM_CASE.stage) ??
		daysBefore(ctx, ctx.now, 30);
	const sponsoredEntry =
		medianWaitingEntry(ctx, generated, DEMO_SPONSORED_CASE.product, DEMO_SPONSORED_CASE.stage) ??
		daysBefore(ctx, ctx.now, 5);
	const asylum = pinnedCase(
		modelOf('asiel'),
		DEMO_ASYLUM_CASE.reference,
		DEMO_ASYLUM_CASE.vNumber,
		{
			name: DEMO_ASYLUM_CASE.name,
			birthDate: '1991-03-14',
			language: 'en',
			email: 'demo.applicant@example.org'
		},
		null,
		daysBefore(ctx, asylumEntry, 60)
	);
	const sponsored = pinnedCase(
		modelOf('kennismigrant'),
		DEMO_SPONSORED_CASE.reference,
		DEMO_SPONSORED_CASE.vNumber,
		{
			name: DEMO_SPONSORED_CASE.name,
			birthDate: '1994-08-02',
			language: 'en',
			email: 'arjun.mehta@example.com'
		},
		DEMO_SPONSORED_CASE.sponsorKvk,
		daysBefore(ctx, sponsoredEntry, 2)
	);
	return [
		followPinned(ctx, asylum, [
			['registration_interview_queue', daysBefore(ctx, asylumEntry, 57)],
			['registration_interview', daysBefore(ctx, asylumEntry, 20)],
			[DEMO_ASYLUM_CASE.stage, asylumEntry]
		]),
		followPinned(ctx, sponsored, [[DEMO_SPONSORED_CASE.stage, sponsoredEntry]])
	];
}

/** What the IND asks of the demo sponsor's cases, and its note, if any. */
const DEMO_REQUESTS: { missing: string[]; note?: string; daysAgo: number }[] = [
	{
		missing: ['salary_statement', 'employment_contract'],
		note: 'Stuur de loonstroken van de laatste drie maanden en het getekende arbeidscontract.',
		daysAgo: 3
	},
	{ missing: ['antecedents_certificate'], daysAgo: 6 },
	{ missing: ['diploma', 'legalisation', 'translation'], daysAgo: 9 }
];

/**
 * Herstel verzuim in the demo: a few of Demo Tech's cases waiting in assessment are asked for
 * missing documents, so that its referents see cases that need action. Run last: the uuids it
 * draws leave the rest of the history as it was.
 */
export function requestDocuments(ctx: Context, generated: SimCase[]): void {
	const waiting = generated
		.filter((c) => c.sponsorKvk === DEMO_TECH_KVK && c.status === 'waiting')
		.filter((c) => {
			const last = c.events.at(-1)?.event;
			return last?.type === 'case.stage_entered' && last.data.stage === 'assessment';
		})
		.sort((a, b) => a.reference.localeCompare(b.reference));
	for (const [i, request] of DEMO_REQUESTS.entries()) {
		const c = waiting[i];
		if (!c) return;
		const at = daysBefore(ctx, ctx.now, request.daysAgo);
		if (at <= c.events.at(-1)!.at) continue;
		push(ctx, c, at, 'case.documents_requested', {
			missing: request.missing,
			before: addDays(dutchDate(at), 28),
			...(request.note ? { note: request.note } : {})
		});
	}
}
