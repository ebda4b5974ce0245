/**
 * What planners read: the overview (lapsed invitations, the shortfall, same-gender requests and
 * the figures), a location with its template, interpreters and week of slots, and the day list.
 * Also the two planner figures the public statistics page shows.
 */
import type { Db } from '$lib/server/db';
import { addDays, dutchDate, startOfDutchDay, type IsoDate } from '$lib/time';
import * as figures from './figures.repository';
import { planningErrors } from './planning.errors';
import { HEARING_KINDS } from '$lib/hearings';

const DAY_MS = 86_400_000;
/** The window of the figures on either side of now. */
export const FIGURE_WEEKS = 4;
/** The public no-show share covers the hearings of this many days. */
export const NO_SHOW_DAYS = 90;
/** Below this many marked hearings the public no-show share says too little to show. */
export const MIN_MARKED = 10;
/** Below this many open invitations the public median of days to the first free slot is hidden. */
export const MIN_OPEN_INVITATIONS = 5;
/** Lists on the overview show at most this many rows. */
const LIST_LIMIT = 200;

function median(values: number[]): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface ShortfallRow {
	location: string;
	kind: string;
	/** Open invitations for which no free slot exists before their book-before day. */
	withoutSlot: number;
	/** Invitations on the waitlist for this location and kind. */
	waitlist: number;
}

export interface NoShowRow {
	kind: string;
	attended: number;
	noShow: number;
	/** no_show / (attended + no_show); null when none were marked. */
	share: number | null;
}

/** The planner's overview as of `now`. */
export async function getPlanningOverview(db: Db, now = new Date()) {
	const today = dutchDate(now);
	const [locations, lapsed, open, waitlist, sameGender, leadTime, ahead, behind, attendance] =
		await Promise.all([
			figures.findLocations(db),
			figures.findLapsedInvitations(db, today, LIST_LIMIT),
			figures.findOpenInvitationsFirstFree(db, now),
			figures.findActiveWaitlist(db),
			figures.findSameGenderRequests(db, now, LIST_LIMIT),
			figures.findLeadTime(db, new Date(now.getTime() - NO_SHOW_DAYS * DAY_MS)),
			figures.findCapacityUse(db, now, new Date(now.getTime() + FIGURE_WEEKS * 7 * DAY_MS)),
			figures.findCapacityUse(db, new Date(now.getTime() - FIGURE_WEEKS * 7 * DAY_MS), now),
			figures.findAttendance(db, new Date(now.getTime() - NO_SHOW_DAYS * DAY_MS), now)
		]);

	// An invitation that allows several locations counts at each of them.
	const shortfall = new Map<string, ShortfallRow>();
	const row = (location: string, kind: string) => {
		const id = `${location}\u0000${kind}`;
		let found = shortfall.get(id);
		if (!found) shortfall.set(id, (found = { location, kind, withoutSlot: 0, waitlist: 0 }));
		return found;
	};
	for (const invitation of open)
		if (!invitation.in_time)
			for (const code of invitation.locations) row(code, invitation.kind).withoutSlot += 1;
	for (const entry of waitlist)
		for (const code of entry.locations) row(code, entry.kind).waitlist += 1;

	const use = (rows: { location_id: number; rooms: number; taken: number }[], id: number) => {
		const found = rows.find((r) => r.location_id === id);
		return { rooms: found?.rooms ?? 0, taken: found?.taken ?? 0 };
	};

	return {
		computedAt: now,
		locations: locations.map((l) => ({
			...l,
			ahead: use(ahead, l.id),
			behind: use(behind, l.id)
		})),
		lapsed: lapsed.map((i) => ({
			id: i.id,
			caseReference: i.case_reference,
			kind: i.kind,
			bookBefore: String(i.book_before),
			locations: i.locations,
			status: i.status
		})),
		openInvitations: open.length,
		shortfall: [...shortfall.values()].sort(
			(a, b) => a.location.localeCompare(b.location) || a.kind.localeCompare(b.kind)
		),
		waitlistLength: waitlist.length,
		sameGender: sameGender.map((r) => ({
			caseReference: r.case_reference,
			kind: r.kind,
			status: r.status,
			applicantGender: r.applicant_gender,
			interpreterLanguage: r.interpreter_language,
			appointmentReference: r.appointment_reference,
			startsAt: r.starts_at,
			locationId: r.location_id,
			locationName: r.location_name,
			interpreterGender: r.interpreter_gender
		})),
		leadTime: { appointments: leadTime.appointments, medianDays: leadTime.median_days },
		noShow: noShowRows(attendance)
	};
}

function noShowRows(rows: { kind: string; attended: number; no_show: number }[]): NoShowRow[] {
	return HEARING_KINDS.map((kind) => {
		const found = rows.find((r) => r.kind === kind);
		const attended = found?.attended ?? 0;
		const noShow = found?.no_show ?? 0;
		return {
			kind,
			attended,
			noShow,
			share: attended + noShow ? noShow / (attended + noShow) : null
		};
	});
}

function parseId(value: string): number {
	if (!/^\d{1,9}$/.test(value)) throw planningErrors.error('not_found');
	return Number(value);
}

/** A location id from the URL, or `not_found`. */
export async function requireLocation(db: Db, id: string) {
	const location = await figures.findLocation(db, parseId(id));
	if (!location) throw planningErrors.error('not_found');
	return location;
}

/**
 * A location's page: the weekly template, the interpreters with their shifts to come, and the
 * slots of the week that starts on `weekStart` (a Monday in Amsterdam).
 */
export async function getLocationPage(db: Db, id: string, weekStart: IsoDate, now = new Date()) {
	const location = await requireLocation(db, id);
	const [templates, interpreters, slots] = await Promise.all([
		figures.findTemplates(db, location.id),
		figures.findInterpreters(db, location.id, now),
		figures.findSlotsBetween(
			db,
			location.id,
			startOfDutchDay(weekStart),
			startOfDutchDay(addDays(weekStart, 7))
		)
	]);
	const days = Array.from({ length: 7 }, (_, i) => addDays(weekStart, i)).map((day) => ({
		day,
		slots: slots
			.filter((s) => dutchDate(s.starts_at) === day)
			.map((s) => ({
				id: s.id,
				kind: s.kind,
				startsAt: s.starts_at,
				rooms: s.rooms,
				taken: s.taken,
				closed: s.closed_at !== null
			}))
	}));
	return {
		location,
		templates,
		interpreters: interpreters.map((i) => ({
			...i,
			shifts: i.shifts.map((s) => ({
				id: s.id,
				startsAt: new Date(s.starts_at),
				endsAt: new Date(s.ends_at)
			}))
		})),
		days
	};
}

/** The day list of a location: every slot of the day with its appointments. */
export async function getDayList(db: Db, id: string, day: IsoDate, now = new Date()) {
	const location = await requireLocation(db, id);
	const from = startOfDutchDay(day);
	const until = startOfDutchDay(addDays(day, 1));
	const [slots, appointments] = await Promise.all([
		figures.findSlotsBetween(db, location.id, from, until),
		figures.findAppointmentsBetween(db, location.id, from, until)
	]);
	return {
		location: {
			id: location.id,
			name: location.name,
			code: location.code,
			address: location.address
		},
		day,
		slots: slots.map((s) => ({
			id: s.id,
			kind: s.kind,
			startsAt: s.starts_at,
			endsAt: s.ends_at,
			rooms: s.rooms,
			taken: s.taken,
			closedReason: s.closed_reason,
			closed: s.closed_at !== null,
			appointments: appointments
				.filter((a) => a.slot_id === s.id)
				.map((a) => ({
					id: a.id,
					reference: a.reference,
					caseReference: a.case_reference,
					applicantName: a.applicant_name,
					kind: a.kind,
					interpreterLanguage: a.interpreter_language,
					// The interpreter comes to the location, or joins by phone or video.
					interpreterInPerson: a.interpreter_in_person,
					sameGender: a.same_gender_requested,
					status: a.status,
					cancelReason: a.cancel_reason,
					canMark: a.status === 'active' && new Date(a.starts_at) <= now
				}))
		}))
	};
}

export interface PublicPlannerFigures {
	noShow: {
		firstDay: IsoDate;
		lastDay: IsoDate;
		days: number;
		marked: number;
		minimum: number;
		/** null when fewer than `minimum` hearings were marked attended or no-show. */
		share: number | null;
	};
	firstFreeSlot: {
		openInvitations: number;
		/** Open invitations for which no free slot exists at all. */
		withoutSlot: number;
		minimum: number;
		/** null when fewer than `minimum` open invitations have a free slot. */
		medianDays: number | null;
	};
}

/**
 * The two figures of the hearing planner on the public statistics page. No-show share: of the
 * hearings of the last 90 days that staff marked attended or no-show, the share marked no-show.
 * Days to the first free slot: for each invitation open now, the days from now to the earliest
 * slot it could book (its kind, at a location it may use, with a free room and interpreter); the
 * median over those invitations. Invitations for which no slot is free are counted apart.
 */
export async function getPublicPlannerFigures(db: Db, now: Date): Promise<PublicPlannerFigures> {
	const since = new Date(now.getTime() - NO_SHOW_DAYS * DAY_MS);
	const [attendance, open] = await Promise.all([
		figures.findAttendance(db, since, now),
		figures.findOpenInvitationsFirstFree(db, now)
	]);
	const attended = attendance.reduce((sum, r) => sum + r.attended, 0);
	const noShow = attendance.reduce((sum, r) => sum + r.no_show, 0);
	const marked = attended + noShow;
	const waits = open
		.filter((i) => i.first_free !== null)
		.map((i) => (new Date(i.first_free!).getTime() - now.getTime()) / DAY_MS);
	return {
		noShow: {
			firstDay: dutchDate(since),
			lastDay: dutchDate(now),
			days: NO_SHOW_DAYS,
			marked,
			minimum: MIN_MARKED,
			share: marked >= MIN_MARKED ? noShow / marked : null
		},
		firstFreeSlot: {
			openInvitations: open.length,
			withoutSlot: open.length - waits.length,
			minimum: MIN_OPEN_INVITATIONS,
			medianDays: waits.length >= MIN_OPEN_INVITATIONS ? median(waits) : null
		}
	};
}
