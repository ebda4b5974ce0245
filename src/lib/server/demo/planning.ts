/**
 * The planner's demo: two hearing locations with weekly templates, slots for the coming weeks,
 * interpreters with shifts, and a registration-interview invitation for the demo asylum case,
 * sent as a real `hearing.invited` event. Everything goes through the planner's services and the
 * event service, as a planner and the case system would. Safe to run again: existing locations,
 * slots, shifts and the event (a fixed id) are kept, and the coming weeks are topped up.
 */
import type { Db } from '$lib/server/db';
import type { Gender } from '$lib/server/db/schema';
import { ingestEvents } from '$lib/server/events/event.service';
import {
	addInterpreter,
	addShift,
	createLocation,
	generateSlots,
	setTemplateSlot
} from '$lib/server/planning/capacity.service';
import type { PlanningActor } from '$lib/server/planning/planning.service';
import * as repo from '$lib/server/planning/planning.repository';
import { addDays, dutchDate, dutchWallTime, formatDutchMoment, isoWeekdayOf } from '$lib/time';
import { DEMO_ASYLUM_CASE } from './pinned';

const system: PlanningActor = { userId: null, role: 'system' };

interface DemoLocation {
	code: string;
	name: string;
	address: string;
	accessibility: string;
	directions: string;
	/** Weekdays (1 = Monday) and start times of registration interviews, with their rooms. */
	template: { weekdays: number[]; times: string[]; rooms: number };
	interpreters: { name: string; gender: Gender }[];
}

/** Real IND application centres; the addresses are for the demo only. */
export const DEMO_LOCATIONS: DemoLocation[] = [
	{
		code: 'TERAPEL',
		name: 'IND Ter Apel',
		address: 'Ter Apelervenen 11, 9561 MC Ter Apel',
		accessibility: 'Step-free entrance and lift; a quiet waiting room.',
		directions:
			'Bus 73 from Emmen station to the stop Ter Apel, Aanmeldcentrum; then a 5-minute walk.',
		template: { weekdays: [1, 2, 3, 4, 5], times: ['09:00', '10:30', '13:00', '14:30'], rooms: 2 },
		interpreters: [
			{ name: 'Tolk A', gender: 'female' },
			{ name: 'Tolk B', gender: 'male' }
		]
	},
	{
		// One room per time: a cancelled place here is scarce and goes to the waitlist first.
		code: 'ZEVENAAR',
		name: 'IND Zevenaar',
		address: 'Hoge Heuvel 1, 6901 EH Zevenaar',
		accessibility: 'Step-free entrance; all rooms on the ground floor.',
		directions: 'Train to Zevenaar station; then bus 21 to the stop Hoge Heuvel.',
		template: { weekdays: [1, 2, 3, 4], times: ['09:30', '13:30'], rooms: 1 },
		interpreters: [{ name: 'Tolk C', gender: 'female' }]
	}
];

/** The demo applicant's interpreter language: the language the demo case system gives them. */
const DEMO_INTERPRETER_LANGUAGE = 'en';
/** The invitation event has a fixed id, so sending it again is a duplicate that changes nothing. */
const DEMO_INVITATION_EVENT_ID = '7d1c5a4e-2b3f-4c8d-9e0f-0a1b2c3d4e01';
const WEEKS_AHEAD = 4;
/** Slots from a week back, so that the demo also has past slots (a past slot cannot be booked). */
const DAYS_BACK = 7;

/** The location's id; a new location gets its weekly template too. */
async function ensureLocation(db: Db, location: DemoLocation): Promise<number> {
	const existing = await repo.findLocationByCode(db, location.code);
	if (existing) return existing.id;
	const { code, name, address, accessibility, directions } = location;
	const { id } = await createLocation(
		db,
		{ code, name, address, accessibility, directions },
		system
	);
	for (const weekday of location.template.weekdays)
		for (const startTime of location.template.times)
			await setTemplateSlot(
				db,
				{
					locationId: id,
					kind: 'registration_interview',
					weekday,
					startTime,
					rooms: location.template.rooms
				},
				system
			);
	return id;
}

export interface DemoPlanning {
	locations: Record<string, number>;
	slotsCreated: number;
}

/**
 * Locations, templates, slots from a week ago to `WEEKS_AHEAD` weeks ahead, interpreters with a
 * shift on each day that has slots, and the demo applicant's invitation (book before four weeks
 * from the first run).
 */
export async function seedDemoPlanning(db: Db, now = new Date()): Promise<DemoPlanning> {
	const today = dutchDate(now);
	const from = addDays(today, -DAYS_BACK);
	const days = DAYS_BACK + WEEKS_AHEAD * 7;
	const locations: Record<string, number> = {};
	let slotsCreated = 0;
	for (const location of DEMO_LOCATIONS) {
		const locationId = await ensureLocation(db, location);
		locations[location.code] = locationId;
		slotsCreated += await generateSlots(
			db,
			{ locationId, from, weeks: Math.ceil(days / 7) },
			system
		);

		const pool = await repo.findInterpretersWithShifts(db, locationId);
		for (const wanted of location.interpreters) {
			let interpreter = pool.find(
				(i) => i.name === wanted.name && i.language === DEMO_INTERPRETER_LANGUAGE
			);
			if (!interpreter) {
				const { id } = await addInterpreter(
					db,
					{
						locationId,
						language: DEMO_INTERPRETER_LANGUAGE,
						gender: wanted.gender,
						name: wanted.name
					},
					system
				);
				interpreter = { id, ...wanted, language: DEMO_INTERPRETER_LANGUAGE, shiftStarts: [] };
			}
			const had = new Set(interpreter.shiftStarts.map((d) => d.getTime()));
			for (let i = 0; i < days; i += 1) {
				const day = addDays(from, i);
				if (!location.template.weekdays.includes(isoWeekdayOf(day))) continue;
				const startsAt = dutchWallTime(day, '08:30');
				if (had.has(startsAt.getTime())) continue;
				await addShift(
					db,
					{ interpreterId: interpreter.id, startsAt, endsAt: dutchWallTime(day, '17:30') },
					system
				);
			}
		}
	}
	await ingestEvents(
		db,
		{
			events: [
				{
					id: DEMO_INVITATION_EVENT_ID,
					type: 'hearing.invited',
					occurredAt: formatDutchMoment(now),
					case: DEMO_ASYLUM_CASE.reference,
					data: {
						kind: 'registration_interview',
						bookBefore: addDays(today, WEEKS_AHEAD * 7),
						locations: DEMO_LOCATIONS.map((l) => l.code),
						interpreterLanguage: DEMO_INTERPRETER_LANGUAGE,
						interpreterInPerson: true
					}
				}
			]
		},
		{ now }
	);
	return { locations, slotsCreated };
}
