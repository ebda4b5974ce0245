/**
 * What the planner's pages and the public statistics read: locations with their templates,
 * interpreters and slots, the day list, and the figures (lead time, use of capacity, no-shows,
 * the first free slot of each open invitation). Reads only.
 */
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '$lib/server/db';
import { invitationsWithCase, LIVE_INVITATION_STATUSES, startsWithin } from './planning.repository';

export async function findLocations(db: Db) {
	return db
		.selectFrom('hearing_location')
		.select(['id', 'code', 'name', 'address'])
		.orderBy('name')
		.orderBy('id')
		.execute();
}

export async function findLocation(db: Db, id: number) {
	return db.selectFrom('hearing_location').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findTemplates(db: Db, locationId: number) {
	return db
		.selectFrom('slot_template')
		.select(['id', 'kind', 'weekday', 'start_time', 'rooms'])
		.where('location_id', '=', locationId)
		.orderBy('weekday')
		.orderBy('start_time')
		.orderBy('kind')
		.execute();
}

export async function deleteTemplate(db: Db, locationId: number, templateId: number) {
	return db
		.deleteFrom('slot_template')
		.where('id', '=', templateId)
		.where('location_id', '=', locationId)
		.returning(['id', 'kind', 'weekday', 'start_time'])
		.executeTakeFirst();
}

export async function findInterpreter(db: Db, interpreterId: number) {
	return db
		.selectFrom('interpreter')
		.select(['id', 'location_id'])
		.where('id', '=', interpreterId)
		.executeTakeFirst();
}

/** The location's interpreters with their shifts that end after `from`. */
export async function findInterpreters(db: Db, locationId: number, from: Date) {
	return db
		.selectFrom('interpreter')
		.select((eb) => [
			'interpreter.id',
			'interpreter.name',
			'interpreter.language',
			'interpreter.gender',
			jsonArrayFrom(
				eb
					.selectFrom('interpreter_shift')
					.select([
						'interpreter_shift.id',
						'interpreter_shift.starts_at',
						'interpreter_shift.ends_at'
					])
					.whereRef('interpreter_shift.interpreter_id', '=', 'interpreter.id')
					.where('interpreter_shift.ends_at', '>', from)
					.orderBy('interpreter_shift.starts_at')
			).as('shifts')
		])
		.where('interpreter.location_id', '=', locationId)
		.orderBy('interpreter.language')
		.orderBy('interpreter.id')
		.execute();
}

export async function findSlotsBetween(db: Db, locationId: number, from: Date, until: Date) {
	return db
		.selectFrom('slot')
		.select(['id', 'kind', 'starts_at', 'ends_at', 'rooms', 'taken', 'closed_at', 'closed_reason'])
		.where('location_id', '=', locationId)
		.where(startsWithin(from, until))
		.orderBy('starts_at')
		.orderBy('kind')
		.execute();
}

/** Appointments, whatever their status, with their slot, of slots starting between the moments. */
function appointmentsWithin(db: Db, from: Date, until: Date) {
	return db
		.selectFrom('appointment')
		.innerJoin('slot', 'slot.id', 'appointment.slot_id')
		.where(startsWithin(from, until));
}

/** Every appointment, whatever its status, in the slots of the location between the moments. */
export async function findAppointmentsBetween(db: Db, locationId: number, from: Date, until: Date) {
	return appointmentsWithin(db, from, until)
		.innerJoin('hearing_invitation', 'hearing_invitation.id', 'appointment.invitation_id')
		.innerJoin('case', 'case.id', 'appointment.case_id')
		.innerJoin('applicant', 'applicant.id', 'case.applicant_id')
		.select([
			'appointment.id',
			'appointment.reference',
			'appointment.slot_id',
			'appointment.status',
			'appointment.cancel_reason',
			'case.reference as case_reference',
			'applicant.name as applicant_name',
			'slot.kind',
			'slot.starts_at',
			'hearing_invitation.interpreter_language',
			'hearing_invitation.interpreter_in_person',
			'hearing_invitation.same_gender_requested'
		])
		.where('slot.location_id', '=', locationId)
		.orderBy('slot.starts_at')
		.orderBy('appointment.id')
		.execute();
}

/** Invitations as the planner's lists show them: what kind, in what state, for which case. */
function listedInvitations(db: Db) {
	return invitationsWithCase(db).select([
		'hearing_invitation.id',
		'hearing_invitation.kind',
		'hearing_invitation.status',
		'case.reference as case_reference'
	]);
}

/** Invitations past their book-before day that were never booked (expired, or still open). */
export async function findLapsedInvitations(db: Db, today: string, limit: number) {
	return listedInvitations(db)
		.select(['hearing_invitation.book_before', 'hearing_invitation.locations'])
		.where((eb) =>
			eb.or([
				eb('hearing_invitation.status', '=', 'expired'),
				eb.and([
					eb('hearing_invitation.status', '=', 'open'),
					eb('hearing_invitation.book_before', '<', today)
				])
			])
		)
		.orderBy('hearing_invitation.book_before', 'desc')
		.orderBy('hearing_invitation.id', 'desc')
		.limit(limit)
		.execute();
}

/**
 * Each open invitation with the start of the earliest slot it could book now: its kind, at one
 * of its locations, open, with a free room and, when it needs one, a free interpreter of its
 * language; `in_time` when that slot is before the end of its book-before day.
 */
export async function findOpenInvitationsFirstFree(db: Db, now: Date) {
	const result = await sql<{
		id: number;
		kind: string;
		locations: string[];
		book_before: string;
		created_at: Date;
		first_free: Date | null;
		in_time: boolean;
	}>`
		select i.id, i.kind, i.locations, i.book_before::text as book_before, i.created_at, f.first_free,
			coalesce(f.first_free < ((i.book_before + 1)::timestamp at time zone 'Europe/Amsterdam'), false) as in_time
		from hearing_invitation i
		cross join lateral (
			select min(s.starts_at) as first_free
			from slot s
			join hearing_location l on l.id = s.location_id
			where s.kind = i.kind and l.code = any(i.locations) and s.closed_at is null
				and s.taken < s.rooms and s.starts_at > ${now}
				and (i.interpreter_language is null or exists (
					select 1 from interpreter t
					where t.location_id = s.location_id and t.language = i.interpreter_language
						and exists (select 1 from interpreter_shift sh where sh.interpreter_id = t.id and sh.starts_at <= s.starts_at and sh.ends_at >= s.ends_at)
						and not exists (select 1 from interpreter_booking b where b.interpreter_id = t.id and b.quarter >= s.starts_at and b.quarter < s.ends_at)))
		) f
		where i.status = 'open'
		order by i.id`.execute(db);
	return result.rows;
}

/** The invitations on the waitlist now, with their kind and locations. */
export async function findActiveWaitlist(db: Db) {
	return db
		.selectFrom('waitlist_entry')
		.innerJoin('hearing_invitation', 'hearing_invitation.id', 'waitlist_entry.invitation_id')
		.select(['hearing_invitation.kind', 'hearing_invitation.locations'])
		.where('waitlist_entry.status', '=', 'active')
		.where('hearing_invitation.status', 'in', LIVE_INVITATION_STATUSES)
		.execute();
}

/**
 * Requests for an interpreter and officer of the same gender on invitations still to be heard:
 * open, or booked for a time to come.
 */
export async function findSameGenderRequests(db: Db, now: Date, limit: number) {
	return listedInvitations(db)
		.leftJoin('appointment', (join) =>
			join
				.onRef('appointment.invitation_id', '=', 'hearing_invitation.id')
				.on('appointment.status', '=', 'active')
		)
		.leftJoin('slot', 'slot.id', 'appointment.slot_id')
		.leftJoin('hearing_location', 'hearing_location.id', 'slot.location_id')
		.leftJoin('interpreter', 'interpreter.id', 'appointment.interpreter_id')
		.select([
			'hearing_invitation.applicant_gender',
			'hearing_invitation.interpreter_language',
			'appointment.reference as appointment_reference',
			'slot.starts_at',
			'hearing_location.id as location_id',
			'hearing_location.name as location_name',
			'interpreter.gender as interpreter_gender'
		])
		.where('hearing_invitation.same_gender_requested', '=', true)
		.where((eb) =>
			eb.or([
				eb('hearing_invitation.status', '=', 'open'),
				eb.and([eb('hearing_invitation.status', '=', 'booked'), eb('slot.starts_at', '>', now)])
			])
		)
		.orderBy('slot.starts_at')
		.orderBy('hearing_invitation.id')
		.limit(limit)
		.execute();
}

/** Median days from the invitation to the booked hearing, over appointments booked since `since`. */
export async function findLeadTime(db: Db, since: Date) {
	const result = await sql<{ appointments: number; median_days: number | null }>`
		select count(*)::int as appointments,
			(percentile_cont(0.5) within group (order by extract(epoch from s.starts_at - i.created_at)) / 86400)::float8 as median_days
		from appointment a
		join slot s on s.id = a.slot_id
		join hearing_invitation i on i.id = a.invitation_id
		where a.status <> 'cancelled' and a.created_at >= ${since}`.execute(db);
	return result.rows[0];
}

/** Rooms and rooms taken per location, in open slots starting between the moments. */
export async function findCapacityUse(db: Db, from: Date, until: Date) {
	return db
		.selectFrom('slot')
		.select([
			'location_id',
			sql<number>`sum(rooms)::int`.as('rooms'),
			sql<number>`sum(taken)::int`.as('taken')
		])
		.where('closed_at', 'is', null)
		.where(startsWithin(from, until))
		.groupBy('location_id')
		.execute();
}

/** Attended and no-show appointments per hearing kind, of hearings since `since`. */
export async function findAttendance(db: Db, since: Date, until: Date) {
	return appointmentsWithin(db, since, until)
		.select([
			'slot.kind',
			sql<number>`count(*) filter (where appointment.status = 'attended')::int`.as('attended'),
			sql<number>`count(*) filter (where appointment.status = 'no_show')::int`.as('no_show')
		])
		.where('appointment.status', 'in', ['attended', 'no_show'])
		.groupBy('slot.kind')
		.orderBy('slot.kind')
		.execute();
}
