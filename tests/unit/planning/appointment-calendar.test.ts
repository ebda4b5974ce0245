/**
 * The .ics file an applicant downloads, read back by an independent parser (ical.js): the
 * calendar app must show the appointment at the Amsterdam time the page shows, in summer and
 * in winter, whatever the server's clock zone is.
 */
import { describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import {
	appointmentIcs,
	type CalendarAppointment
} from '$lib/server/planning/appointment-calendar';

const base: CalendarAppointment = {
	reference: 'OAP-7KQ2-M4XD',
	title: 'Gehoor bij de IND: nader gehoor',
	description: 'Neem uw paspoort mee, en; komma’s, puntkomma’s en\nregels.',
	location: { name: 'IND Den Bosch', address: 'Leeghwaterlaan 11, 5223 BA ’s-Hertogenbosch' },
	startsAt: new Date('2027-07-05T07:30:00Z'),
	endsAt: new Date('2027-07-05T09:30:00Z'),
	sequence: 0
};

function parse(ics: string) {
	const calendar = new ICAL.Component(ICAL.parse(ics));
	const timezone = calendar.getFirstSubcomponent('vtimezone');
	if (timezone) ICAL.TimezoneService.register(timezone);
	const vevent = calendar.getFirstSubcomponent('vevent')!;
	return { calendar, vevent, event: new ICAL.Event(vevent) };
}

describe('the appointment as an iCalendar file', () => {
	it('gives the Amsterdam wall-clock time with TZID in summer (UTC+2)', () => {
		const { vevent, event } = parse(appointmentIcs(base, new Date('2027-06-01T10:00:00Z')));
		const start = vevent.getFirstProperty('dtstart')!;
		expect(start.getParameter('tzid')).toBe('Europe/Amsterdam');
		expect(event.startDate.toString()).toBe('2027-07-05T09:30:00');
		expect(event.endDate.toString()).toBe('2027-07-05T11:30:00');
		expect(event.startDate.toJSDate().toISOString()).toBe('2027-07-05T07:30:00.000Z');
	});

	it('gives the Amsterdam wall-clock time in winter (UTC+1), with the zone’s rules inside', () => {
		const winter = {
			...base,
			startsAt: new Date('2027-01-11T08:30:00Z'),
			endsAt: new Date('2027-01-11T09:00:00Z')
		};
		const { calendar, event } = parse(appointmentIcs(winter, new Date('2026-12-01T10:00:00Z')));
		expect(calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe(
			'Europe/Amsterdam'
		);
		expect(event.startDate.toString()).toBe('2027-01-11T09:30:00');
		expect(event.startDate.toJSDate().toISOString()).toBe('2027-01-11T08:30:00.000Z');
	});

	it('keeps the text, the place and the identity, so a moved appointment replaces the old entry', () => {
		const moved = { ...base, sequence: 2 };
		const { event, vevent } = parse(appointmentIcs(moved, new Date('2027-06-01T10:00:00Z')));
		expect(event.uid).toBe('OAP-7KQ2-M4XD@mijn-aanvraag.ind.nl');
		expect(event.summary).toBe(base.title);
		expect(event.description).toBe(base.description);
		expect(event.location).toBe(`${base.location.name}, ${base.location.address}`);
		expect(vevent.getFirstPropertyValue('sequence')).toBe(2);
		expect(vevent.getFirstPropertyValue('status')).toBe('CONFIRMED');
	});

	it('marks a cancelled appointment as cancelled', () => {
		const { vevent } = parse(appointmentIcs({ ...base, cancelled: true }, new Date()));
		expect(vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
	});
});
