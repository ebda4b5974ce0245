import { describe, expect, it } from 'vitest';
import {
	addDays,
	daysBetween,
	dutchDate,
	dutchMoment,
	dutchWallTime,
	isoWeekdayOf,
	formatDutchMoment,
	offsetMinutes,
	startOfDutchDay,
	weekStartOf
} from '$lib/time';
import { legalDeadline } from '$lib/server/cases/deadline';

// Summer time in 2026 runs from Sunday 29 March 01:00 UTC to Sunday 25 October 01:00 UTC.

describe('Amsterdam midnight', () => {
	it('is 22:00 UTC the evening before in a summer week (UTC+2)', () => {
		expect(startOfDutchDay('2026-07-06').toISOString()).toBe('2026-07-05T22:00:00.000Z');
		expect(offsetMinutes(new Date('2026-07-06T09:00:00Z'))).toBe(120);
	});

	it('is 23:00 UTC the evening before in a winter week (UTC+1)', () => {
		expect(startOfDutchDay('2026-11-23').toISOString()).toBe('2026-11-22T23:00:00.000Z');
		expect(offsetMinutes(new Date('2026-11-23T09:00:00Z'))).toBe(60);
	});

	it('writes moments with the offset of their own season', () => {
		expect(formatDutchMoment(Date.parse('2026-07-06T07:30:00Z'))).toBe('2026-07-06T09:30:00+02:00');
		expect(formatDutchMoment(Date.parse('2026-11-23T08:30:00Z'))).toBe('2026-11-23T09:30:00+01:00');
	});

	it('reads office hours on the days of both changes', () => {
		expect(new Date(dutchMoment('2026-03-29', 9 * 60)).toISOString()).toBe(
			'2026-03-29T07:00:00.000Z'
		);
		expect(new Date(dutchMoment('2026-10-25', 9 * 60)).toISOString()).toBe(
			'2026-10-25T08:00:00.000Z'
		);
		// The hour after the change in March, and the second 02:30 in October.
		expect(new Date(dutchMoment('2026-03-29', 3 * 60)).toISOString()).toBe(
			'2026-03-29T01:00:00.000Z'
		);
		expect(new Date(dutchMoment('2026-10-25', 3 * 60)).toISOString()).toBe(
			'2026-10-25T02:00:00.000Z'
		);
	});
});

describe('week starts (Monday 00:00 in Amsterdam)', () => {
	it('turns at Dutch midnight in summer and in winter, not at UTC midnight', () => {
		expect(weekStartOf(new Date('2026-07-05T21:59:00Z'))).toBe('2026-06-29');
		expect(weekStartOf(new Date('2026-07-05T22:00:00Z'))).toBe('2026-07-06');
		expect(weekStartOf(new Date('2026-11-22T22:59:00Z'))).toBe('2026-11-16');
		expect(weekStartOf(new Date('2026-11-22T23:00:00Z'))).toBe('2026-11-23');
	});

	it('holds across the last Sunday of March: the week of the change has 167 hours', () => {
		// Monday 23 March 00:00 CET to Monday 30 March 00:00 CEST.
		const start = startOfDutchDay('2026-03-23').getTime();
		const end = startOfDutchDay('2026-03-30').getTime();
		expect((end - start) / 3_600_000).toBe(167);
		expect(weekStartOf(new Date('2026-03-29T21:59:00Z'))).toBe('2026-03-23');
		expect(weekStartOf(new Date('2026-03-29T22:00:00Z'))).toBe('2026-03-30');
		expect(weekStartOf(new Date('2026-03-29T00:30:00Z'))).toBe('2026-03-23');
		expect(weekStartOf(new Date('2026-03-29T01:30:00Z'))).toBe('2026-03-23');
	});

	it('holds across the last Sunday of October: the week of the change has 169 hours', () => {
		const start = startOfDutchDay('2026-10-19').getTime();
		const end = startOfDutchDay('2026-10-26').getTime();
		expect((end - start) / 3_600_000).toBe(169);
		expect(weekStartOf(new Date('2026-10-25T22:59:00Z'))).toBe('2026-10-19');
		expect(weekStartOf(new Date('2026-10-25T23:00:00Z'))).toBe('2026-10-26');
	});
});

describe('deadline days', () => {
	it('takes the Dutch calendar day around both changes', () => {
		// 00:30 Dutch time on the day summer time begins, and on the day it ends.
		expect(dutchDate(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-29');
		expect(dutchDate(new Date('2026-10-24T22:30:00Z'))).toBe('2026-10-25');
		expect(dutchDate(new Date('2026-10-25T22:30:00Z'))).toBe('2026-10-25');
		expect(dutchDate(new Date('2026-10-25T23:00:00Z'))).toBe('2026-10-26');
	});

	it('counts whole days across both changes, not hours / 24', () => {
		expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
		expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
		expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
		expect(addDays('2026-10-26', -2)).toBe('2026-10-24');
	});

	it('dates a legal deadline from the Dutch day of submission in summer time', () => {
		// 23:30 UTC on 30 June is 1 July in the Netherlands: 90 days later is 29 September.
		expect(legalDeadline(new Date('2026-06-30T23:30:00Z'), { value: 90, unit: 'days' })).toBe(
			'2026-09-29'
		);
		// 22:30 UTC on 28 March is still 28 March (23:30 CET): 90 days later is Friday 26 June.
		expect(legalDeadline(new Date('2026-03-28T22:30:00Z'), { value: 90, unit: 'days' })).toBe(
			'2026-06-26'
		);
	});
});

describe('Dutch wall-clock times (hearing slots)', () => {
	it('reads 09:30 as winter time before and summer time after the March change', () => {
		expect(dutchWallTime('2026-03-28', '09:30').toISOString()).toBe('2026-03-28T08:30:00.000Z');
		expect(dutchWallTime('2026-03-29', '09:30').toISOString()).toBe('2026-03-29T07:30:00.000Z');
	});

	it('reads 09:30 as summer time before and winter time after the October change', () => {
		expect(dutchWallTime('2026-10-24', '09:30').toISOString()).toBe('2026-10-24T07:30:00.000Z');
		expect(dutchWallTime('2026-10-25', '09:30').toISOString()).toBe('2026-10-25T08:30:00.000Z');
	});

	it('refuses a time that is not HH:MM', () => {
		expect(() => dutchWallTime('2026-10-25', '9:30')).toThrow();
		expect(() => dutchWallTime('2026-10-25', '24:00')).toThrow();
	});

	it('numbers weekdays from Monday (1) to Sunday (7)', () => {
		expect(isoWeekdayOf('2026-11-30')).toBe(1);
		expect(isoWeekdayOf('2026-12-06')).toBe(7);
	});
});
