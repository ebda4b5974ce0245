import {
	sql,
	type ExpressionBuilder,
	type ExpressionOrFactory,
	type Insertable,
	type QueryCreator,
	type Selectable,
	type SqlBool,
	type Transaction
} from 'kysely';
import type { Database, Db } from '$lib/server/db';
import { compiledOnce } from '$lib/server/db/compiled';
import { LIVE_INVITATION_STATUSES } from '$lib/hearings';
import type {
	AppointmentStatus,
	Gender,
	InvitationStatus,
	OfferStatus
} from '$lib/server/db/schema';
import { pendingAuditRowFrom } from '$lib/server/audit/audit.repository';
import { casesWithApplicantAccount } from '$lib/server/cases/case.repository';
import {
	caseChangeFromAppointment,
	type CaseChangeRow
} from '$lib/server/changes/change.repository';

type Trx = Transaction<Database>;
/** A condition on the rows of `Tables`, for a query piece that callers narrow. */
type Where<Tables extends keyof Database> = ExpressionOrFactory<Database, Tables, SqlBool>;

// What the planner's queries share ----------------------------------------------------------

export { LIVE_INVITATION_STATUSES };

export function isLiveInvitation(status: InvitationStatus): boolean {
	return (LIVE_INVITATION_STATUSES as readonly InvitationStatus[]).includes(status);
}

/** The case (`case`) is one of the applicant whose account is `ownerUserId`. */
export function ownedBy(ownerUserId: number) {
	return (eb: ExpressionBuilder<Database, 'case'>) =>
		eb(
			'case.applicant_id',
			'=',
			eb
				.selectFrom('app_user')
				.select('app_user.applicant_id')
				.where('app_user.id', '=', ownerUserId)
		);
}

/** The slot (`slot`) starts at `from` or later, and before `until`. */
export function startsWithin(from: Date, until: Date) {
	return (eb: ExpressionBuilder<Database, 'slot'>) =>
		eb.and([eb('slot.starts_at', '>=', from), eb('slot.starts_at', '<', until)]);
}

// Capacity ----------------------------------------------------------------------------------

/** Inserts the location; undefined when its code is taken. */
export async function insertLocation(db: Db, row: Insertable<Database['hearing_location']>) {
	return db
		.insertInto('hearing_location')
		.values(row)
		.onConflict((oc) => oc.column('code').doNothing())
		.returning(['id', 'code'])
		.executeTakeFirst();
}

export async function findLocationsByCodes(db: Db, codes: string[]) {
	if (codes.length === 0) return [];
	return db
		.selectFrom('hearing_location')
		.selectAll()
		.where('code', '=', sql<string>`any(${codes}::text[])`)
		.execute();
}

export async function findHearingKind(db: Db, code: string) {
	return db.selectFrom('hearing_kind').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function insertTemplate(db: Db, row: Insertable<Database['slot_template']>) {
	return db
		.insertInto('slot_template')
		.values(row)
		.onConflict((oc) =>
			oc.constraint('slot_template_unique').doUpdateSet({ rooms: (eb) => eb.ref('excluded.rooms') })
		)
		.returning('id')
		.executeTakeFirstOrThrow();
}

/** The location's templates, each with how long its kind of hearing takes. */
export async function findTemplatesWithDuration(db: Db, locationId: number) {
	return db
		.selectFrom('slot_template')
		.innerJoin('hearing_kind', 'hearing_kind.code', 'slot_template.kind')
		.selectAll('slot_template')
		.select('hearing_kind.duration_minutes')
		.where('slot_template.location_id', '=', locationId)
		.execute();
}

/** Inserts the slots that do not exist yet; returns how many were new. */
export async function insertSlots(db: Db, rows: Insertable<Database['slot']>[]): Promise<number> {
	if (rows.length === 0) return 0;
	const inserted = await db
		.insertInto('slot')
		.values(rows)
		.onConflict((oc) => oc.constraint('slot_unique').doNothing())
		.returning('id')
		.execute();
	return inserted.length;
}

export async function insertInterpreter(db: Db, row: Insertable<Database['interpreter']>) {
	return db.insertInto('interpreter').values(row).returning('id').executeTakeFirstOrThrow();
}

export async function insertShift(db: Db, row: Insertable<Database['interpreter_shift']>) {
	return db.insertInto('interpreter_shift').values(row).returning('id').executeTakeFirstOrThrow();
}

// Slots -------------------------------------------------------------------------------------

export async function findSlot(db: Db, slotId: number) {
	return db
		.selectFrom('slot')
		.innerJoin('hearing_location', 'hearing_location.id', 'slot.location_id')
		.selectAll('slot')
		.select('hearing_location.code as location_code')
		.where('slot.id', '=', slotId)
		.executeTakeFirst();
}

export type SlotRecord = NonNullable<Awaited<ReturnType<typeof findSlot>>>;

export async function lockSlots(trx: Trx, slotIds: number[]) {
	if (slotIds.length === 0) return [];
	return trx
		.selectFrom('slot')
		.selectAll()
		.where('id', '=', sql<number>`any(${slotIds}::int[])`)
		.orderBy('id')
		.forUpdate()
		.execute();
}

export async function findSlotIdsOfDay(db: Db, locationId: number, from: Date, until: Date) {
	const rows = await db
		.selectFrom('slot')
		.select('id')
		.where('location_id', '=', locationId)
		.where(startsWithin(from, until))
		.where('closed_at', 'is', null)
		.orderBy('id')
		.execute();
	return rows.map((r) => r.id);
}

/**
 * Takes one room of an open slot. The row lock makes concurrent takers queue; each re-reads
 * `taken`, and the check constraint refuses overselling whatever the caller does.
 */
/** A room of the slot, taken while one is free and the slot open. */
function takeRoomStatement(db: QueryCreator<Database>, slotId: number) {
	return db
		.updateTable('slot')
		.set((eb) => ({ taken: eb('taken', '+', 1) }))
		.where('id', '=', slotId)
		.where('closed_at', 'is', null)
		.where((eb) => eb('taken', '<', eb.ref('rooms')))
		.returning('id');
}

export async function takeRoom(trx: Trx, slotId: number): Promise<boolean> {
	return (await takeRoomStatement(trx, slotId).executeTakeFirst()) !== undefined;
}

export async function releaseRooms(trx: Trx, slotId: number, count = 1): Promise<void> {
	if (count <= 0) return;
	await trx
		.updateTable('slot')
		.set((eb) => ({ taken: eb('taken', '-', count) }))
		.where('id', '=', slotId)
		.execute();
}

export async function closeSlotRow(trx: Trx, slotId: number, reason: string, at: Date) {
	await trx
		.updateTable('slot')
		.set({ closed_at: at, closed_reason: reason })
		.where('id', '=', slotId)
		.execute();
}

/** An interpreter (`interpreter`) on shift for the whole of `slot`, with no quarter of it booked. */
function availableForSlot(eb: ExpressionBuilder<Database, 'interpreter' | 'slot'>) {
	return eb.and([
		eb.exists(
			eb
				.selectFrom('interpreter_shift')
				.select(sql.lit(1).as('one'))
				.whereRef('interpreter_shift.interpreter_id', '=', 'interpreter.id')
				.whereRef('interpreter_shift.starts_at', '<=', 'slot.starts_at')
				.whereRef('interpreter_shift.ends_at', '>=', 'slot.ends_at')
		),
		eb.not(
			eb.exists(
				eb
					.selectFrom('interpreter_booking')
					.select(sql.lit(1).as('one'))
					.whereRef('interpreter_booking.interpreter_id', '=', 'interpreter.id')
					.whereRef('interpreter_booking.quarter', '>=', 'slot.starts_at')
					.whereRef('interpreter_booking.quarter', '<', 'slot.ends_at')
			)
		)
	]);
}

function interpreterFree(
	eb: ExpressionBuilder<Database, 'slot'>,
	language: string,
	gender: Gender | null
) {
	return eb.exists(
		eb
			.selectFrom('interpreter')
			.select(sql.lit(1).as('one'))
			.whereRef('interpreter.location_id', '=', 'slot.location_id')
			.where('interpreter.language', '=', language)
			.$if(gender !== null, (q) => q.where('interpreter.gender', '=', gender))
			.where(availableForSlot)
	);
}

export interface SlotSearch {
	kind: string;
	locations: string[];
	from: Date;
	until: Date;
	interpreterLanguage: string | null;
	/** Leave out this slot (the one the applicant holds now). */
	exceptSlot?: number;
	/** Only the first free slot of each location. */
	firstPerLocation?: boolean;
}

/**
 * Open slots with a free room (and a free interpreter of the language when one is needed). A
 * fortnight at twenty locations is well over a thousand slots: they come as one JSON array of
 * `[id, start, end, location]`, times in epoch milliseconds. Parsed row by row, timestamp by
 * timestamp, they cost more than the query and left garbage that made one search in twenty slow.
 */
export async function findBookableSlotRows(db: Db, search: SlotSearch) {
	const open = (eb: ExpressionBuilder<Database, 'slot'>) =>
		eb.and([
			eb('slot.kind', '=', search.kind),
			eb('slot.closed_at', 'is', null),
			eb('slot.taken', '<', eb.ref('slot.rooms')),
			startsWithin(search.from, search.until)(eb),
			...(search.exceptSlot !== undefined ? [eb('slot.id', '<>', search.exceptSlot)] : []),
			...(search.interpreterLanguage !== null
				? [interpreterFree(eb, search.interpreterLanguage, null)]
				: [])
		]);
	const atLocations = db
		.selectFrom('hearing_location')
		.where('hearing_location.code', '=', sql<string>`any(${search.locations}::text[])`);
	// The booking page's first step: each location's earliest free slot, one short walk of
	// slot_search_idx per location rather than every slot of the fortnight sorted.
	const free = search.firstPerLocation
		? atLocations
				.innerJoinLateral(
					(eb) =>
						eb
							.selectFrom('slot')
							.select(['slot.id', 'slot.starts_at', 'slot.ends_at'])
							.whereRef('slot.location_id', '=', 'hearing_location.id')
							.where(open)
							.orderBy('slot.starts_at')
							.limit(1)
							.as('first'),
					(join) => join.onTrue()
				)
				.select(['first.id', 'first.starts_at', 'first.ends_at', 'hearing_location.code'])
				.as('free')
		: atLocations
				.innerJoin('slot', 'slot.location_id', 'hearing_location.id')
				.select(['slot.id', 'slot.starts_at', 'slot.ends_at', 'hearing_location.code'])
				.where(open)
				.as('free');
	const { slots } = await db
		.selectFrom(free)
		.select(
			sql<[id: number, startsMs: number, endsMs: number, location: string][]>`coalesce(json_agg(
				json_build_array(free.id, (extract(epoch from free.starts_at) * 1000)::bigint,
					(extract(epoch from free.ends_at) * 1000)::bigint, free.code)
				order by free.starts_at, free.code), '[]')`.as('slots')
		)
		.executeTakeFirstOrThrow();
	return slots;
}

// Interpreters ------------------------------------------------------------------------------

/**
 * Holds the interpreters of the language at the slot's location until the transaction ends, so
 * that bookings choose from the pool one at a time, each seeing the choices before it. Chosen
 * side by side from one snapshot, two bookings can each take the interpreter that the other's
 * best fit needed, and leave a place that no interpreter can serve.
 */
export async function lockInterpreterPool(trx: Trx, slotId: number, language: string) {
	await sql`${interpreterPoolLock(slotId, language)}`.execute(trx);
}

/** The statement `lockInterpreterPool` runs; `bookRoom` runs it inside its own. */
function interpreterPoolLock(slotId: number, language: string) {
	return sql`select pg_advisory_xact_lock(hashtext('interpreter-pool:' || location_id || ':' || ${language}))
		from slot where id = ${slotId}`;
}

/**
 * Interpreters of the language at the slot's location whose shift covers the slot and who have
 * no booked quarter inside it; those of `preferGender` first. Then best fit, so that overlapping
 * slots can all be served: first whoever has a hearing ending where this one starts or starting
 * where it ends, last whoever it would leave a gap of under an hour beside. Only a hint: the
 * quarter rows inserted afterwards are what decides.
 */
function interpreterCandidates(
	trx: Trx,
	slotId: number,
	language: string,
	preferGender: Gender | null
) {
	return trx
		.selectFrom('slot')
		.innerJoin('interpreter', 'interpreter.location_id', 'slot.location_id')
		.select(['interpreter.id', 'interpreter.gender'])
		.where('slot.id', '=', slotId)
		.where('interpreter.language', '=', language)
		.where(availableForSlot)
		.orderBy(sql`interpreter.gender is not distinct from ${preferGender}`, 'desc')
		.orderBy(
			sql`(select count(*) from interpreter_booking b where b.interpreter_id = interpreter.id
				and (b.quarter = slot.starts_at - interval '15 minutes' or b.quarter = slot.ends_at))`,
			'desc'
		)
		.orderBy(
			sql`(select count(*) from interpreter_booking b where b.interpreter_id = interpreter.id
				and b.quarter >= slot.starts_at - interval '1 hour' and b.quarter < slot.ends_at + interval '1 hour')`,
			'asc'
		)
		.orderBy('interpreter.id');
}

export async function findInterpreterCandidates(
	trx: Trx,
	slotId: number,
	language: string,
	preferGender: Gender | null
) {
	return interpreterCandidates(trx, slotId, language, preferGender).execute();
}

/**
 * The first of `findInterpreterCandidates` booked for the appointment, in one statement, as
 * `assignInterpreterQuarters` books one. Returns the candidate (null when there is none) and
 * whether it was booked; it is not when another transaction took one of its quarters meanwhile.
 */
export async function assignBestInterpreter(
	trx: Trx,
	appointmentId: number,
	slotId: number,
	language: string,
	preferGender: Gender | null
): Promise<{ candidate: number | null; assigned: boolean }> {
	const best = interpreterCandidates(trx, slotId, language, preferGender).limit(1);
	const result = await sql<{ candidate: number | null; assigned: boolean }>`
		with candidate as (${best}), wanted as (
			select generate_series(starts_at, ends_at - interval '15 minutes', interval '15 minutes') as quarter
			from slot where id = ${slotId}
		), inserted as (
			insert into interpreter_booking (interpreter_id, quarter, appointment_id)
			select candidate.id, quarter, ${appointmentId} from candidate, wanted
			on conflict do nothing
			returning 1
		), assigned as (
			update appointment set interpreter_id = (select id from candidate)
			where id = ${appointmentId}
				and exists (select 1 from candidate)
				and (select count(*) from wanted) > 0
				and (select count(*) from inserted) = (select count(*) from wanted)
			returning 1
		)
		select (select id from candidate) as candidate, exists (select 1 from assigned) as assigned`.execute(
		trx
	);
	return result.rows[0];
}

/**
 * Books every quarter of the slot for the interpreter and, when all were free, makes them the
 * appointment's interpreter, in one statement. A quarter another transaction holds is skipped
 * (it waits for that transaction first), so the answer is whether all were booked; the caller
 * removes a partial booking with `deleteInterpreterQuarters`.
 */
export async function assignInterpreterQuarters(
	trx: Trx,
	interpreterId: number,
	appointmentId: number,
	slotId: number
): Promise<boolean> {
	const result = await sql<{ assigned: boolean }>`
		with wanted as (
			select generate_series(starts_at, ends_at - interval '15 minutes', interval '15 minutes') as quarter
			from slot where id = ${slotId}
		), inserted as (
			insert into interpreter_booking (interpreter_id, quarter, appointment_id)
			select ${interpreterId}, quarter, ${appointmentId} from wanted
			on conflict do nothing
			returning 1
		), assigned as (
			update appointment set interpreter_id = ${interpreterId}
			where id = ${appointmentId}
				and (select count(*) from wanted) > 0
				and (select count(*) from inserted) = (select count(*) from wanted)
			returning 1
		)
		select exists (select 1 from assigned) as assigned`.execute(trx);
	return result.rows[0].assigned;
}

export async function deleteInterpreterQuarters(trx: Trx, appointmentIds: number[]) {
	if (appointmentIds.length === 0) return;
	await trx
		.deleteFrom('interpreter_booking')
		.where('appointment_id', '=', sql<number>`any(${appointmentIds}::int[])`)
		.execute();
}

// Invitations -------------------------------------------------------------------------------

const invitationColumns = [
	'hearing_invitation.id',
	'hearing_invitation.case_id',
	'hearing_invitation.kind',
	'hearing_invitation.book_before',
	'hearing_invitation.locations',
	'hearing_invitation.interpreter_language',
	'hearing_invitation.interpreter_in_person',
	'hearing_invitation.same_gender_requested',
	'hearing_invitation.applicant_gender',
	'hearing_invitation.priority',
	'hearing_invitation.status',
	'hearing_invitation.created_at'
] as const;

export async function insertInvitations(
	db: Db,
	rows: Insertable<Database['hearing_invitation']>[]
) {
	if (rows.length === 0) return [];
	return db.insertInto('hearing_invitation').values(rows).returning(['id', 'case_id']).execute();
}

/** Invitations joined to their case. */
export function invitationsWithCase(db: Db) {
	return db
		.selectFrom('hearing_invitation')
		.innerJoin('case', 'case.id', 'hearing_invitation.case_id');
}

/** The invitation with its case's reference. */
function invitationWithCase(db: Db, invitationId: number) {
	return invitationsWithCase(db)
		.select(invitationColumns)
		.select('case.reference as case_reference')
		.where('hearing_invitation.id', '=', invitationId);
}

/** The invitation if it belongs to a case of the applicant with account `ownerUserId`. */
export async function findInvitationOfOwner(db: Db, invitationId: number, ownerUserId: number) {
	return invitationWithCase(db, invitationId).where(ownedBy(ownerUserId)).executeTakeFirst();
}

export async function lockInvitationOfOwner(trx: Trx, invitationId: number, ownerUserId: number) {
	return invitationWithCase(trx, invitationId)
		.where(ownedBy(ownerUserId))
		.forUpdate('hearing_invitation')
		.executeTakeFirst();
}

export type InvitationRecord = NonNullable<Awaited<ReturnType<typeof lockInvitationOfOwner>>>;

interface BookingRequest {
	invitationId: number;
	ownerUserId: number;
	/** When given, the invitation must be of this case. */
	caseReference?: string;
	slotId: number;
	idempotencyKey: string;
}

/**
 * In one query: the owner's invitation, the slot asked for (its columns null when the id is
 * forged), and whether the request key was used before.
 */
function bookingRequest(db: Db, request: BookingRequest) {
	return invitationWithCase(db, request.invitationId)
		.where(ownedBy(request.ownerUserId))
		.$if(request.caseReference !== undefined, (q) =>
			q.where('case.reference', '=', request.caseReference!)
		)
		.leftJoin('slot', (join) => join.on('slot.id', '=', request.slotId))
		.leftJoin('hearing_location', 'hearing_location.id', 'slot.location_id')
		.select((eb) => [
			'slot.id as slot_id',
			'slot.kind as slot_kind',
			'slot.starts_at as slot_starts_at',
			'slot.ends_at as slot_ends_at',
			'slot.closed_at as slot_closed_at',
			'slot.taken as slot_taken',
			'slot.rooms as slot_rooms',
			'hearing_location.code as slot_location_code',
			eb
				.exists(
					eb
						.selectFrom('appointment')
						.select('appointment.id')
						.where('appointment.idempotency_key', '=', request.idempotencyKey)
				)
				.as('replayed')
		]);
}

/**
 * The booking request without locks: it is checked on this read, and `bookRoom` guards what may
 * change before the booking (the invitation's status, the slot's rooms).
 */
const bookingState = compiledOnce(bookingRequest);

export async function findBookingState(db: Db, request: BookingRequest) {
	const [row] = await bookingState(db, request);
	return row;
}

export type BookingState = NonNullable<Awaited<ReturnType<typeof findBookingState>>>;

export async function lockInvitation(trx: Trx, invitationId: number) {
	return invitationWithCase(trx, invitationId).forUpdate('hearing_invitation').executeTakeFirst();
}

export async function updateInvitationStatus(trx: Trx, ids: number[], status: InvitationStatus) {
	if (ids.length === 0) return;
	await trx
		.updateTable('hearing_invitation')
		.set({ status })
		.where('id', '=', sql<number>`any(${ids}::int[])`)
		.execute();
}

export async function setSameGenderRequest(trx: Trx, invitationId: number, gender: Gender) {
	await trx
		.updateTable('hearing_invitation')
		.set({ same_gender_requested: true, applicant_gender: gender })
		.where('id', '=', invitationId)
		.execute();
}

/** Open invitations whose book-before date lies before `today`: they expire. */
export async function expireOpenInvitations(db: Db, today: string) {
	const rows = await db
		.updateTable('hearing_invitation')
		.set({ status: 'expired' })
		.where('status', '=', 'open')
		.where('book_before', '<', today)
		.returning('id')
		.execute();
	return rows.map((r) => r.id);
}

/** The open or booked invitations `which` picks, locked in id order. */
async function lockLiveInvitations(trx: Trx, which: Where<'hearing_invitation'>) {
	return trx
		.selectFrom('hearing_invitation')
		.select(['id', 'status'])
		.where(which)
		.where('status', 'in', LIVE_INVITATION_STATUSES)
		.orderBy('id')
		.forUpdate()
		.execute();
}

/** Appointments joined to their slot and their case. */
function appointmentsWithSlotAndCase(db: Db) {
	return db
		.selectFrom('appointment')
		.innerJoin('slot', 'slot.id', 'appointment.slot_id')
		.innerJoin('case', 'case.id', 'appointment.case_id');
}

/** The active appointments `which` picks, with their case's reference, locked in id order. */
async function lockActiveAppointments(trx: Trx, which: Where<'appointment' | 'slot'>) {
	return appointmentsWithSlotAndCase(trx)
		.select([
			'appointment.id',
			'appointment.slot_id',
			'appointment.invitation_id',
			'appointment.case_id',
			'case.reference as case_reference'
		])
		.where(which)
		.where('appointment.status', '=', 'active')
		.orderBy('appointment.id')
		.forUpdate('appointment')
		.execute();
}

export async function lockOpenPlanningOfCases(trx: Trx, caseIds: number[]) {
	if (caseIds.length === 0) return { invitations: [], appointments: [] };
	const ofCases = sql<number>`any(${caseIds}::int[])`;
	const invitations = await lockLiveInvitations(trx, (eb) => eb('case_id', '=', ofCases));
	const appointments = await lockActiveAppointments(trx, (eb) =>
		eb('appointment.case_id', '=', ofCases)
	);
	return { invitations, appointments };
}

/**
 * The open planning of cases that moved past the stage they were invited in, locked: their
 * invitations of an earlier stage, and those invitations' active appointments still to come.
 */
export async function lockPlanningBehindStage(
	trx: Trx,
	moves: { caseId: number; position: number }[],
	now: Date
) {
	const behind = sql<boolean>`exists (
		select 1 from unnest(${moves.map((m) => m.caseId)}::int[], ${moves.map((m) => m.position)}::int[])
			as moved(case_id, position)
		where moved.case_id = hearing_invitation.case_id
			and hearing_invitation.stage_position < moved.position)`;
	const invitations = await lockLiveInvitations(trx, behind);
	if (invitations.length === 0) return { invitations, appointments: [] };
	const ofInvitations = sql<number>`any(${invitations.map((i) => i.id)}::int[])`;
	const appointments = await lockActiveAppointments(trx, (eb) =>
		eb.and([eb('appointment.invitation_id', '=', ofInvitations), eb('slot.starts_at', '>', now)])
	);
	return { invitations, appointments };
}

// Appointments ------------------------------------------------------------------------------

export async function findAppointmentByKey(db: Db, key: string) {
	return db
		.selectFrom('appointment')
		.selectAll()
		.where('idempotency_key', '=', key)
		.executeTakeFirst();
}

export async function insertAppointment(trx: Trx, row: Insertable<Database['appointment']>) {
	return trx.insertInto('appointment').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * A first booking in one statement: locks the invitation while it is still open, takes a room of
 * the slot while it is open with one free, inserts the appointment, marks the invitation booked,
 * and records the audit row and the change (fragments of their own modules) only for what it
 * did. When the invitation is no longer open or the slot has no room it changes nothing and
 * returns undefined; the caller reads why. Outside a transaction the statement is its own.
 * With `interpreterPool` (a language) it also holds that pool of the slot's location once it
 * booked, as `lockInterpreterPool` does, for the transaction's next statement to choose from.
 */
export async function bookRoom(
	db: Db,
	row: Insertable<Database['appointment']>,
	records: {
		audit: Insertable<Database['audit_pending']>;
		change: Omit<CaseChangeRow, 'appointment_id'>;
	},
	interpreterPool: string | null = null
) {
	// `pool` runs only when a row is placed: the select list is evaluated for each row.
	const { rows } = await sql<Selectable<Database['appointment']> & { pool_held: unknown }>`
		with open_invitation as (
			select id from hearing_invitation where id = ${row.invitation_id} and status = 'open' for update
		), room as (
			update slot set taken = taken + 1
			where id = ${row.slot_id} and closed_at is null and taken < rooms
				and exists (select 1 from open_invitation)
			returning id
		), placed as (
			insert into appointment
				(reference, invitation_id, case_id, slot_id, idempotency_key, booked_by, on_behalf_of)
			select ${row.reference}, ${row.invitation_id}::int, ${row.case_id}::int, room.id,
				${row.idempotency_key}, ${row.booked_by ?? null}::int, ${row.on_behalf_of ?? null}::int
			from room
			returning *
		), booked as (
			update hearing_invitation set status = 'booked' where id in (select invitation_id from placed)
		), audited as (
			${pendingAuditRowFrom('placed', records.audit)}
		), changed as (
			${caseChangeFromAppointment('placed', records.change)}
		), pool as (
			${interpreterPool === null ? sql`select 1` : interpreterPoolLock(row.slot_id, interpreterPool)}
		)
		select placed.*, (select count(*) from pool) as pool_held from placed`.execute(db);
	if (!rows[0]) return undefined;
	const { pool_held: _held, ...appointment } = rows[0];
	return appointment;
}

const appointmentColumns = [
	'appointment.id',
	'appointment.reference',
	'appointment.invitation_id',
	'appointment.case_id',
	'appointment.slot_id',
	'appointment.interpreter_id',
	'appointment.status',
	'slot.starts_at',
	'slot.ends_at',
	'case.reference as case_reference'
] as const;

/** The appointment with its slot's times and its case's reference, locked. */
function lockedAppointment(trx: Trx, appointmentId: number) {
	return appointmentsWithSlotAndCase(trx)
		.select(appointmentColumns)
		.where('appointment.id', '=', appointmentId)
		.forUpdate('appointment');
}

export async function lockAppointmentOfOwner(trx: Trx, appointmentId: number, ownerUserId: number) {
	return lockedAppointment(trx, appointmentId).where(ownedBy(ownerUserId)).executeTakeFirst();
}

export async function lockAppointment(trx: Trx, appointmentId: number) {
	return lockedAppointment(trx, appointmentId).executeTakeFirst();
}

export type AppointmentRecord = NonNullable<Awaited<ReturnType<typeof lockAppointment>>>;

export async function lockActiveAppointmentOfInvitation(trx: Trx, invitationId: number) {
	return trx
		.selectFrom('appointment')
		.select(['id', 'slot_id', 'reference'])
		.where('invitation_id', '=', invitationId)
		.where('status', '=', 'active')
		.forUpdate()
		.executeTakeFirst();
}

export async function setAppointmentReplacedBy(trx: Trx, id: number, replacedBy: number) {
	await trx
		.updateTable('appointment')
		.set({ replaced_by: replacedBy })
		.where('id', '=', id)
		.execute();
}

export async function lockActiveAppointmentsOfSlot(trx: Trx, slotId: number) {
	return lockActiveAppointments(trx, (eb) => eb('appointment.slot_id', '=', slotId));
}

export async function cancelAppointmentRows(
	trx: Trx,
	ids: number[],
	at: Date,
	reason: string,
	replacedBy: number | null = null
) {
	if (ids.length === 0) return;
	await trx
		.updateTable('appointment')
		.set({ status: 'cancelled', cancelled_at: at, cancel_reason: reason, replaced_by: replacedBy })
		.where('id', '=', sql<number>`any(${ids}::int[])`)
		.execute();
}

export async function setAppointmentStatus(
	trx: Trx,
	id: number,
	status: AppointmentStatus,
	at: Date
) {
	await trx
		.updateTable('appointment')
		.set({ status, attendance_at: at })
		.where('id', '=', id)
		.execute();
}

/** Copies of invitations (same kind, locations, interpreter wishes) that come first in line. */
export async function insertRebookingInvitations(
	trx: Trx,
	invitationIds: number[],
	bookBefore: string
) {
	if (invitationIds.length === 0) return [];
	return trx
		.insertInto('hearing_invitation')
		.columns([
			'case_id',
			'kind',
			'book_before',
			'locations',
			'interpreter_language',
			'interpreter_in_person',
			'same_gender_requested',
			'applicant_gender',
			'priority',
			'replaces_id'
		])
		.expression((eb) =>
			eb
				.selectFrom('hearing_invitation')
				.select([
					'case_id',
					'kind',
					sql<string>`greatest(book_before, ${bookBefore}::date)`.as('book_before'),
					'locations',
					'interpreter_language',
					'interpreter_in_person',
					'same_gender_requested',
					'applicant_gender',
					sql<boolean>`true`.as('priority'),
					'id as replaces_id'
				])
				.where('id', '=', sql<number>`any(${invitationIds}::int[])`)
		)
		.returning(['id', 'case_id'])
		.execute();
}

/** Where to write to the applicants of these cases: their account, else the case system's address. */
export async function findApplicantContacts(db: Db, caseIds: number[]) {
	if (caseIds.length === 0) return [];
	return casesWithApplicantAccount(db)
		.select([
			'case.id as case_id',
			'case.reference',
			'applicant.name',
			sql<string | null>`coalesce(app_user.email, applicant.email)`.as('email'),
			sql<string>`coalesce(app_user.language, applicant.language)`.as('language')
		])
		.where('case.id', '=', sql<number>`any(${caseIds}::int[])`)
		.execute();
}

// Waitlist ----------------------------------------------------------------------------------

/** The invitation's place on the waitlist, while it waits. */
function activeEntry(db: Db, invitationId: number) {
	return db
		.selectFrom('waitlist_entry')
		.selectAll()
		.where('invitation_id', '=', invitationId)
		.where('status', '=', 'active');
}

export async function insertWaitlistEntry(trx: Trx, invitationId: number, joinedAt: Date) {
	const inserted = await trx
		.insertInto('waitlist_entry')
		.values({ invitation_id: invitationId, joined_at: joinedAt })
		.onConflict((oc) => oc.column('invitation_id').where('status', '=', 'active').doNothing())
		.returningAll()
		.executeTakeFirst();
	return inserted ?? activeEntry(trx, invitationId).executeTakeFirstOrThrow();
}

/**
 * The first active entry in the order people joined that can use the slot: its invitation is of
 * the slot's kind and location, open or booked later than the slot, bookable by the slot's day,
 * with a free interpreter when it needs one; it holds no other offer and was not offered this
 * slot before. Rebooking invitations (priority) come first. Locked, skipping entries another
 * transaction is handing an offer to.
 */
export async function lockNextWaitlistEntry(trx: Trx, slotId: number) {
	return trx
		.selectFrom('waitlist_entry')
		.innerJoin('hearing_invitation', 'hearing_invitation.id', 'waitlist_entry.invitation_id')
		.innerJoin('case', 'case.id', 'hearing_invitation.case_id')
		.innerJoin('slot', (join) => join.on('slot.id', '=', slotId))
		.innerJoin('hearing_location', 'hearing_location.id', 'slot.location_id')
		.select([
			'waitlist_entry.id as entry_id',
			'waitlist_entry.invitation_id',
			'hearing_invitation.interpreter_language',
			'hearing_invitation.case_id',
			'case.reference as case_reference'
		])
		.where('waitlist_entry.status', '=', 'active')
		.where('hearing_invitation.status', 'in', LIVE_INVITATION_STATUSES)
		.whereRef('hearing_invitation.kind', '=', 'slot.kind')
		.where(sql<boolean>`hearing_location.code = any(hearing_invitation.locations)`)
		.where(
			sql<boolean>`(slot.starts_at at time zone 'Europe/Amsterdam')::date <= hearing_invitation.book_before`
		)
		.where((eb) =>
			eb.or([
				eb('hearing_invitation.interpreter_language', 'is', null),
				eb.exists(
					eb
						.selectFrom('interpreter')
						.select(sql.lit(1).as('one'))
						.whereRef('interpreter.location_id', '=', 'slot.location_id')
						.whereRef('interpreter.language', '=', 'hearing_invitation.interpreter_language')
						.where(availableForSlot)
				)
			])
		)
		.where((eb) =>
			eb.not(
				eb.exists(
					eb
						.selectFrom('appointment')
						.innerJoin('slot as booked', 'booked.id', 'appointment.slot_id')
						.select(sql.lit(1).as('one'))
						.whereRef('appointment.invitation_id', '=', 'hearing_invitation.id')
						.where('appointment.status', '=', 'active')
						.whereRef('booked.starts_at', '<=', 'slot.starts_at')
				)
			)
		)
		.where((eb) =>
			eb.not(
				eb.exists(
					eb
						.selectFrom('waitlist_offer')
						.select(sql.lit(1).as('one'))
						.whereRef('waitlist_offer.entry_id', '=', 'waitlist_entry.id')
						.where((o) =>
							o.or([
								o('waitlist_offer.status', '=', 'held'),
								o('waitlist_offer.slot_id', '=', slotId)
							])
						)
				)
			)
		)
		.orderBy('hearing_invitation.priority', 'desc')
		.orderBy('waitlist_entry.joined_at')
		.orderBy('waitlist_entry.id')
		.limit(1)
		.forUpdate('waitlist_entry')
		.skipLocked()
		.executeTakeFirst();
}

export async function insertOffer(trx: Trx, row: Insertable<Database['waitlist_offer']>) {
	return trx.insertInto('waitlist_offer').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The offer if it was made to a case of the applicant with account `ownerUserId`. */
function offerOfOwner(db: Db, offerId: number, ownerUserId: number) {
	return db
		.selectFrom('waitlist_offer')
		.innerJoin('waitlist_entry', 'waitlist_entry.id', 'waitlist_offer.entry_id')
		.innerJoin('hearing_invitation', 'hearing_invitation.id', 'waitlist_entry.invitation_id')
		.innerJoin('case', 'case.id', 'hearing_invitation.case_id')
		.where('waitlist_offer.id', '=', offerId)
		.where(ownedBy(ownerUserId));
}

export async function lockOfferOfOwner(trx: Trx, offerId: number, ownerUserId: number) {
	return offerOfOwner(trx, offerId, ownerUserId)
		.select([
			'waitlist_offer.id',
			'waitlist_offer.entry_id',
			'waitlist_offer.slot_id',
			'waitlist_offer.expires_at',
			'waitlist_offer.status',
			'waitlist_entry.invitation_id'
		])
		.forUpdate('waitlist_offer')
		.executeTakeFirst();
}

/** The held offers `which` picks, with the slot whose room each holds, locked in id order. */
function lockHeldOffers(trx: Trx, which: Where<'waitlist_offer'>) {
	return trx
		.selectFrom('waitlist_offer')
		.select(['id', 'slot_id', 'entry_id'])
		.where('status', '=', 'held')
		.where(which)
		.orderBy('id')
		.forUpdate();
}

export async function lockHeldOffersDue(trx: Trx, now: Date) {
	return lockHeldOffers(trx, (eb) => eb('expires_at', '<=', now))
		.skipLocked()
		.execute();
}

export async function lockHeldOffersOfSlot(trx: Trx, slotId: number) {
	return lockHeldOffers(trx, (eb) => eb('slot_id', '=', slotId)).execute();
}

export async function lockHeldOffersOfInvitations(trx: Trx, invitationIds: number[]) {
	if (invitationIds.length === 0) return [];
	return lockHeldOffers(trx, (eb) =>
		eb(
			'entry_id',
			'in',
			eb
				.selectFrom('waitlist_entry')
				.select('waitlist_entry.id')
				.where('waitlist_entry.invitation_id', '=', sql<number>`any(${invitationIds}::int[])`)
		)
	).execute();
}

export async function setOfferStatus(trx: Trx, ids: number[], status: OfferStatus) {
	if (ids.length === 0) return;
	await trx
		.updateTable('waitlist_offer')
		.set({ status })
		.where('id', '=', sql<number>`any(${ids}::int[])`)
		.execute();
}

export async function setWaitlistStatusOfInvitations(
	trx: Trx,
	invitationIds: number[],
	status: 'left' | 'served'
) {
	if (invitationIds.length === 0) return;
	await trx
		.updateTable('waitlist_entry')
		.set({ status })
		.where('invitation_id', '=', sql<number>`any(${invitationIds}::int[])`)
		.where('status', '=', 'active')
		.execute();
}

// The applicant's view ------------------------------------------------------------------------

/** The case if it belongs to the applicant with account `ownerUserId`. */
export async function findCaseOfOwner(db: Db, reference: string, ownerUserId: number) {
	return db
		.selectFrom('case')
		.select(['case.id', 'case.reference', 'case.product_code'])
		.where('case.reference', '=', reference)
		.where(ownedBy(ownerUserId))
		.executeTakeFirst();
}

/**
 * The owner's case with the invitation its page acts on (the first live one, as
 * `findLiveInvitationsOfCase` orders them), in one round trip: the case page asks on every visit.
 * Undefined when the case is not the owner's; `invitation` null when none is live.
 */
export async function findOwnCaseWithLiveInvitation(
	db: Db,
	reference: string,
	ownerUserId: number
) {
	const row = await db
		.selectFrom('case')
		.leftJoinLateral(
			(eb) =>
				eb
					.selectFrom('hearing_invitation')
					.innerJoin('hearing_kind', 'hearing_kind.code', 'hearing_invitation.kind')
					.select(invitationColumns)
					.select('hearing_kind.asylum')
					.whereRef('hearing_invitation.case_id', '=', 'case.id')
					.where('hearing_invitation.status', 'in', LIVE_INVITATION_STATUSES)
					.orderBy('hearing_invitation.priority', 'desc')
					.orderBy('hearing_invitation.id', 'desc')
					.limit(1)
					.as('live'),
			(join) => join.onTrue()
		)
		.select(['case.id as own_case_id', 'case.reference as own_reference'])
		.selectAll('live')
		.where('case.reference', '=', reference)
		.where(ownedBy(ownerUserId))
		.executeTakeFirst();
	if (!row) return undefined;
	const { own_case_id: caseId, own_reference: caseReference, ...live } = row;
	type Live = { [K in keyof typeof live]: NonNullable<(typeof live)[K]> };
	return { caseId, caseReference, invitation: live.id === null ? null : (live as Live) };
}

/** The case's invitations that are open or booked: rebooking ones first, then the newest. */
export async function findLiveInvitationsOfCase(db: Db, caseId: number) {
	return invitationsWithCase(db)
		.innerJoin('hearing_kind', 'hearing_kind.code', 'hearing_invitation.kind')
		.select(invitationColumns)
		.select(['case.reference as case_reference', 'hearing_kind.asylum'])
		.where('hearing_invitation.case_id', '=', caseId)
		.where('hearing_invitation.status', 'in', LIVE_INVITATION_STATUSES)
		.orderBy('hearing_invitation.priority', 'desc')
		.orderBy('hearing_invitation.id', 'desc')
		.execute();
}

const slotCardColumns = [
	'slot.id as slot_id',
	'slot.kind',
	'slot.starts_at',
	'slot.ends_at',
	'hearing_location.code as location_code',
	'hearing_location.name as location_name',
	'hearing_location.address',
	'hearing_location.accessibility',
	'hearing_location.directions'
] as const;

/** What an offer's card shows: when it lapses, and the place it holds (`slot` and its location). */
const offerCardColumns = [
	'waitlist_offer.id',
	'waitlist_offer.expires_at',
	...slotCardColumns
] as const;

/** Appointments joined to their slot and the slot's location. */
export function appointmentsWithPlace(db: Db) {
	return db
		.selectFrom('appointment')
		.innerJoin('slot', 'slot.id', 'appointment.slot_id')
		.innerJoin('hearing_location', 'hearing_location.id', 'slot.location_id');
}

/** The active appointment of the invitation, with its slot and location, for the appointment card. */
export async function findActiveAppointmentCard(db: Db, invitationId: number) {
	return appointmentsWithPlace(db)
		.select(['appointment.id', 'appointment.reference', 'appointment.interpreter_id'])
		.select(slotCardColumns)
		.select((eb) =>
			eb
				.selectFrom('appointment as earlier')
				.select(sql<number>`count(*)::int`.as('n'))
				.whereRef('earlier.invitation_id', '=', 'appointment.invitation_id')
				.whereRef('earlier.id', '<', 'appointment.id')
				.as('earlier_count')
		)
		.where('appointment.invitation_id', '=', invitationId)
		.where('appointment.status', '=', 'active')
		.executeTakeFirst();
}

/** Whether the invitation is on the waitlist now, and the offer held for it, if any. */
export async function findWaitlistOfInvitation(db: Db, invitationId: number) {
	const entry = await activeEntry(db, invitationId).executeTakeFirst();
	const offer = await db
		.selectFrom('waitlist_offer')
		.innerJoin('waitlist_entry', 'waitlist_entry.id', 'waitlist_offer.entry_id')
		.innerJoin('slot', 'slot.id', 'waitlist_offer.slot_id')
		.innerJoin('hearing_location', 'hearing_location.id', 'slot.location_id')
		.select(offerCardColumns)
		.where('waitlist_entry.invitation_id', '=', invitationId)
		.where('waitlist_offer.status', '=', 'held')
		.executeTakeFirst();
	return { entry: entry ?? null, offer: offer ?? null };
}

/** A waitlist offer on case `caseReference` of the applicant with account `ownerUserId`, with its place. */
export async function findOfferOfOwner(
	db: Db,
	offerId: number,
	ownerUserId: number,
	caseReference: string
) {
	return offerOfOwner(db, offerId, ownerUserId)
		.innerJoin('slot', 'slot.id', 'waitlist_offer.slot_id')
		.innerJoin('hearing_location', 'hearing_location.id', 'slot.location_id')
		.select(offerCardColumns)
		.select(['waitlist_offer.status', 'waitlist_entry.invitation_id'])
		.where('case.reference', '=', caseReference)
		.executeTakeFirst();
}

export async function findLocationByCode(db: Db, code: string) {
	return db.selectFrom('hearing_location').selectAll().where('code', '=', code).executeTakeFirst();
}

/** A location's interpreters and the start of each of their shifts, for the demo's top-up. */
export async function findInterpretersWithShifts(db: Db, locationId: number) {
	const interpreters = await db
		.selectFrom('interpreter')
		.select(['id', 'language', 'gender', 'name'])
		.where('location_id', '=', locationId)
		.orderBy('id')
		.execute();
	if (interpreters.length === 0) return [];
	const shifts = await db
		.selectFrom('interpreter_shift')
		.select(['interpreter_id', 'starts_at'])
		.where('interpreter_id', '=', sql<number>`any(${interpreters.map((i) => i.id)}::int[])`)
		.execute();
	return interpreters.map((i) => ({
		...i,
		shiftStarts: shifts.filter((s) => s.interpreter_id === i.id).map((s) => s.starts_at)
	}));
}
