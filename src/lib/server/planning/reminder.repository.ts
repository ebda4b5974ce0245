import { sql } from 'kysely';
import type { Db } from '$lib/server/db';
import { appointmentsWithPlace } from './planning.repository';

/** What a reminder needs of an appointment, and what tells whether it still stands as planned. */
export async function findReminderAppointments(
	db: Db,
	filter: { references: string[] } | { startingBetween: [Date, Date] }
) {
	let query = appointmentsWithPlace(db).select([
		'appointment.reference',
		'appointment.status',
		'appointment.case_id',
		'slot.starts_at',
		'slot.kind',
		'hearing_location.name as location_name',
		'hearing_location.address as location_address'
	]);
	query =
		'references' in filter
			? query.where('appointment.reference', '=', sql<string>`any(${filter.references}::text[])`)
			: query
					.where('appointment.status', '=', 'active')
					.where('slot.starts_at', '>', filter.startingBetween[0])
					.where('slot.starts_at', '<=', filter.startingBetween[1]);
	return query.execute();
}
