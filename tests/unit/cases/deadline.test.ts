import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ingestEvents } from '$lib/server/events/event.service';
import { describeEachEngine } from '../helpers/engines';
import { newReference, submitted } from '../helpers/factories';
import { addMonths } from '$lib/time';
import {
	isWorkingDay,
	latestExtendedDeadline,
	legalDeadline,
	nextWorkingDay
} from '$lib/server/cases/deadline';

describe('legal deadline arithmetic', () => {
	it('adds months to the same day, or the last day of a shorter month', () => {
		expect(addMonths('2026-01-15', 6)).toBe('2026-07-15');
		expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
		expect(addMonths('2027-08-31', 6)).toBe('2028-02-29');
		expect(addMonths('2026-10-31', 12)).toBe('2027-10-31');
	});

	it('counts days for a term in days', () => {
		// 90 days after 2 March 2026 is Sunday 31 May 2026, so the term runs to Monday 1 June.
		expect(legalDeadline(new Date('2026-03-02T10:00:00+01:00'), { value: 90, unit: 'days' })).toBe(
			'2026-06-01'
		);
	});

	it('uses the Dutch calendar date of the submission, not UTC', () => {
		// 23:30 in Amsterdam on 14 January is still 14 January, though UTC says 22:30 on the 14th;
		// 00:30 on 15 January in Amsterdam is 23:30 UTC on the 14th.
		expect(legalDeadline(new Date('2026-01-14T23:30:00Z'), { value: 6, unit: 'months' })).toBe(
			'2026-07-15'
		);
	});

	it('moves a deadline on a weekend to the next working day', () => {
		expect(nextWorkingDay('2026-08-15')).toBe('2026-08-17'); // Saturday → Monday
		expect(legalDeadline(new Date('2026-02-16T09:00:00+01:00'), { value: 6, unit: 'months' })).toBe(
			'2026-08-17'
		);
	});

	it('moves a deadline on a public holiday to the next working day', () => {
		expect(isWorkingDay('2026-12-25')).toBe(false);
		expect(isWorkingDay('2026-04-27')).toBe(false); // King's Day
		expect(isWorkingDay('2027-05-05')).toBe(false); // Liberation Day
		expect(isWorkingDay('2027-03-26')).toBe(false); // Good Friday
		// Christmas Friday 25 Dec 2026 → Boxing Day Saturday → Sunday → Monday 28 Dec.
		expect(legalDeadline(new Date('2026-06-25T09:00:00+02:00'), { value: 6, unit: 'months' })).toBe(
			'2026-12-28'
		);
		// Easter Monday 29 March 2027 → Tuesday 30 March (the 26th is Good Friday, the 28th Easter).
		expect(legalDeadline(new Date('2026-09-29T09:00:00+02:00'), { value: 6, unit: 'months' })).toBe(
			'2027-03-30'
		);
	});

	it('allows an extension up to the original term plus the extension', () => {
		const submitted = new Date('2026-01-15T10:00:00+01:00');
		expect(
			latestExtendedDeadline(submitted, { value: 6, unit: 'months' }, { value: 9, unit: 'months' })
		).toBe('2027-04-15');
		expect(latestExtendedDeadline(submitted, { value: 90, unit: 'days' }, null)).toBe('2026-04-15');
	});
});

describeEachEngine('legal deadline of ingested cases', ({ db }) => {
	async function deadlineOf(ref: string) {
		return await db()
			.selectFrom('case')
			.select(['deadline', 'original_deadline', 'deadline_reason'])
			.where('reference', '=', ref)
			.executeTakeFirstOrThrow();
	}

	it('stores the deadline of the product term, moved past weekends and holidays', async () => {
		const weekend = newReference();
		const holiday = newReference();
		const days = newReference();
		const result = await ingestEvents(db(), {
			events: [
				submitted(weekend, '2026-02-16T09:00:00+01:00'),
				submitted(holiday, '2026-06-25T09:00:00+02:00'),
				submitted(days, '2026-03-02T10:00:00+01:00', { product: 'verlenging' })
			]
		});
		expect(result.ok).toBe(true);
		expect((await deadlineOf(weekend)).deadline).toBe('2026-08-17');
		expect((await deadlineOf(holiday)).deadline).toBe('2026-12-28');
		expect((await deadlineOf(days)).deadline).toBe('2026-06-01');
	});

	it('extends a deadline within the legal maximum, and refuses one beyond it', async () => {
		const ref = newReference();
		await ingestEvents(db(), { events: [submitted(ref, '2026-01-15T10:00:00+01:00')] });
		await expect(
			ingestEvents(db(), {
				events: [extended(ref, '2026-02-01T10:00:00+01:00', '2027-04-16')]
			})
		).rejects.toMatchObject({
			code: 'rejected',
			options: { errors: [{ index: 0, field: 'data.deadline' }] }
		});
		expect(
			await ingestEvents(db(), {
				events: [extended(ref, '2026-02-01T10:00:00+01:00', '2027-04-15')]
			})
		).toMatchObject({ ok: true, accepted: 1 });
		expect(await deadlineOf(ref)).toEqual({
			deadline: '2027-04-15',
			original_deadline: '2026-07-15',
			deadline_reason: 'Many applications at once'
		});
	});
});

function extended(reference: string, at: string, deadline: string) {
	return {
		id: randomUUID(),
		type: 'case.deadline_extended',
		occurredAt: at,
		case: reference,
		data: { deadline, reason: 'Many applications at once' }
	};
}
