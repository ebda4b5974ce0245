import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Db } from '$lib/server/db';
import { ingestEvents } from '$lib/server/events/event.service';
import { addInterpreter, addShift, createLocation } from '$lib/server/planning/capacity.service';
import { book } from '$lib/server/planning/booking.service';
import type { PlanningActor } from '$lib/server/planning/planning.service';
import { newReference, submitted } from '../helpers/factories';

/** The planner's clock in these tests: Wednesday 2 December 2026, 09:00 in Amsterdam. */
export const NOW = new Date('2026-12-02T08:00:00Z');
export const staff: PlanningActor = { userId: null, role: 'planner' };

let counter = 0;

/** A location with a code unique in the test run. */
export async function newLocation(db: Db) {
	counter += 1;
	const code = `L${process.pid % 1000}${counter}`.slice(0, 8);
	return createLocation(
		db,
		{ code, name: `Locatie ${code}`, address: 'Rijnstraat 8, Den Haag' },
		staff
	);
}

export interface Applicant {
	reference: string;
	caseId: number;
	userId: number;
	actor: PlanningActor;
	email: string;
}

/** A submitted asylum case whose applicant has an account. */
export async function newApplicant(db: Db): Promise<Applicant> {
	const reference = newReference();
	await ingestEvents(db, { events: [submitted(reference, '2026-11-02T09:00:00Z')] });
	const row = await db
		.selectFrom('case')
		.select(['id', 'applicant_id'])
		.where('reference', '=', reference)
		.executeTakeFirstOrThrow();
	const email = `${reference.toLowerCase()}@example.test`;
	const user = await db
		.insertInto('app_user')
		.values({
			email,
			password_hash: 'x',
			display_name: 'Amal Haddad',
			kind: 'applicant',
			applicant_id: row.applicant_id,
			language: 'en'
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return {
		reference,
		caseId: row.id,
		userId: user.id,
		actor: { userId: user.id, role: 'applicant' },
		email
	};
}

export interface InviteOptions {
	kind?: string;
	locations: string[];
	bookBefore?: string;
	interpreterLanguage?: string;
}

/** Sends `hearing.invited` through the event API's path; returns the invitation's id. */
export async function invite(db: Db, applicant: Applicant, options: InviteOptions) {
	const result = await ingestEvents(db, {
		events: [
			{
				id: randomUUID(),
				type: 'hearing.invited',
				occurredAt: '2026-11-20T09:00:00Z',
				case: applicant.reference,
				data: {
					kind: options.kind ?? 'registration_interview',
					bookBefore: options.bookBefore ?? '2027-01-31',
					locations: options.locations,
					...(options.interpreterLanguage
						? { interpreterLanguage: options.interpreterLanguage, interpreterInPerson: true }
						: {})
				}
			}
		]
	});
	expect(result.accepted).toBe(1);
	const row = await db
		.selectFrom('hearing_invitation')
		.select('id')
		.where('case_id', '=', applicant.caseId)
		.orderBy('id', 'desc')
		.executeTakeFirstOrThrow();
	return row.id;
}

export async function newApplicantWithInvitation(db: Db, options: InviteOptions) {
	const applicant = await newApplicant(db);
	const invitationId = await invite(db, applicant, options);
	return { ...applicant, invitationId };
}

/** A slot inserted directly, starting at an instant on a quarter hour. */
export async function newSlot(
	db: Db,
	input: { locationId: number; startsAt: string; minutes?: number; rooms?: number; kind?: string }
) {
	const startsAt = new Date(input.startsAt);
	const row = await db
		.insertInto('slot')
		.values({
			location_id: input.locationId,
			kind: input.kind ?? 'registration_interview',
			starts_at: startsAt,
			ends_at: new Date(startsAt.getTime() + (input.minutes ?? 60) * 60_000),
			rooms: input.rooms ?? 1
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

export async function newInterpreter(
	db: Db,
	input: {
		locationId: number;
		language: string;
		from: string;
		to: string;
		gender?: 'female' | 'male';
	}
) {
	const { id } = await addInterpreter(
		db,
		{
			locationId: input.locationId,
			language: input.language,
			gender: input.gender ?? null
		},
		staff
	);
	await addShift(
		db,
		{
			interpreterId: id,
			startsAt: new Date(input.from),
			endsAt: new Date(input.to)
		},
		staff
	);
	return id;
}

export async function slotTaken(db: Db, slotId: number): Promise<number> {
	const row = await db
		.selectFrom('slot')
		.select('taken')
		.where('id', '=', slotId)
		.executeTakeFirstOrThrow();
	return row.taken;
}

export async function appointmentStatus(db: Db, id: number) {
	const row = await db
		.selectFrom('appointment')
		.select('status')
		.where('id', '=', id)
		.executeTakeFirstOrThrow();
	return row.status;
}

export const key = () => randomUUID();

/** The applicant books the slot for their invitation, with a fresh request key, at `now`. */
export async function bookAs(
	db: Db,
	applicant: { invitationId: number; actor: PlanningActor },
	slotId: number,
	now = NOW
) {
	return book(db, {
		invitationId: applicant.invitationId,
		slotId,
		idempotencyKey: key(),
		actor: applicant.actor,
		now
	});
}

/** The error a promise rejects with, for asserting its code. */
export async function refusal(promise: Promise<unknown>) {
	try {
		await promise;
	} catch (e) {
		return e as { code: string; kind: string };
	}
	throw new Error('expected a refusal');
}
