import { ICalCalendar, ICalEventStatus } from 'ical-generator';
import { TZDate } from '@date-fns/tz';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { TIME_ZONE } from '$lib/time';

/** What a calendar entry for an appointment says, already in the applicant's language. */
export interface CalendarAppointment {
	/** The appointment reference: the entry's identity, so a moved appointment replaces the old entry. */
	reference: string;
	title: string;
	description: string;
	location: { name: string; address: string };
	startsAt: Date;
	endsAt: Date;
	/** Raised on every move, so calendar apps take the new time over the one they hold. */
	sequence: number;
	cancelled?: boolean;
}

/**
 * The appointment as an iCalendar file (RFC 5545). Times are written as Amsterdam wall-clock times
 * with TZID=Europe/Amsterdam and its VTIMEZONE: a plain Date would be written in the server's own
 * clock, which is UTC in production.
 */
export function appointmentIcs(appointment: CalendarAppointment, stamp: Date): string {
	const calendar = new ICalCalendar({
		prodId: { company: 'IND', product: 'Mijn Aanvraag', language: 'NL' },
		name: appointment.title
	});
	calendar.timezone({ name: TIME_ZONE, generator: getVtimezoneComponent });
	calendar.createEvent({
		id: `${appointment.reference}@mijn-aanvraag.ind.nl`,
		sequence: appointment.sequence,
		stamp,
		start: new TZDate(appointment.startsAt, TIME_ZONE),
		end: new TZDate(appointment.endsAt, TIME_ZONE),
		timezone: TIME_ZONE,
		summary: appointment.title,
		description: appointment.description,
		location: `${appointment.location.name}, ${appointment.location.address}`,
		status: appointment.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED
	});
	return calendar.toString();
}
