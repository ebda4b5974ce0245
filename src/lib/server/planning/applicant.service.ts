/**
 * The applicant's side of the planner: what the case page, the booking page, the offer page and
 * the calendar file show. These are reads; the changes go through booking.service and
 * waitlist.service. Every read starts from the applicant's own account, so another person's case,
 * invitation or offer is `not_found`, exactly like one that does not exist.
 */
import QRCode from 'qrcode';
import type { Db } from '$lib/server/db';
import { consume, type Limit } from '$lib/server/ratelimit/rate-limit';
import { numberFromEnv } from '$lib/server/config/env';
import { dutchDate } from '$lib/time';
import { translator } from '$lib/i18n';
import * as repo from './planning.repository';
import { planningErrors } from './planning.errors';
import { findBookableSlots } from './booking.service';
import { cutoffHours, planningConfig, type PlanningConfig } from './planning.service';
import { appointmentIcs } from './appointment-calendar';

/** The applicant's account. */
export interface Owner {
	id: number;
}

export interface LocationView {
	code: string;
	name: string;
	address: string;
	accessibility: string;
	directions: string;
}

export interface InvitationView {
	id: number;
	kind: string;
	bookBefore: string;
	status: 'open' | 'booked';
	/** A rebooking invitation: the IND cancelled the earlier appointment. */
	priority: boolean;
	locations: LocationView[];
	/** An asylum hearing with an interpreter: the applicant may ask for the same gender. */
	canAskSameGender: boolean;
	sameGenderRequested: boolean;
}

/** A place in the calendar: a slot at a location. */
export interface PlaceView {
	slotId: number;
	kind: string;
	startsAt: Date;
	endsAt: Date;
	location: LocationView;
}

export interface AppointmentView extends PlaceView {
	id: number;
	reference: string;
	/** Whether it can still be moved or cancelled online (before the cut-off). */
	changeable: boolean;
	/** How many times it was moved: the calendar file's SEQUENCE. */
	sequence: number;
}

export interface OfferView {
	id: number;
	expiresAt: Date;
	place: PlaceView;
}

export interface CasePlanning {
	caseReference: string;
	invitation: InvitationView | null;
	appointment: AppointmentView | null;
	waitlist: { joinedAt: Date } | null;
	offer: OfferView | null;
	cutoffHours: number;
}

type CardRow = {
	slot_id: number;
	kind: string;
	starts_at: Date;
	ends_at: Date;
	location_code: string;
	location_name: string;
	address: string;
	accessibility: string;
	directions: string;
};

function placeOf(row: CardRow): PlaceView {
	return {
		slotId: row.slot_id,
		kind: row.kind,
		startsAt: row.starts_at,
		endsAt: row.ends_at,
		location: {
			code: row.location_code,
			name: row.location_name,
			address: row.address,
			accessibility: row.accessibility,
			directions: row.directions
		}
	};
}

/** The case, when it is the applicant's own; otherwise `not_found`. */
export async function requireOwnCase(db: Db, owner: Owner, reference: string) {
	const found = await repo.findCaseOfOwner(db, reference, owner.id);
	if (!found) throw planningErrors.error('not_found');
	return found;
}

/** The planning of a case that has no live invitation: nothing to book, keep or wait for. */
export function noCasePlanning(
	caseReference: string,
	config: PlanningConfig = planningConfig()
): CasePlanning {
	return {
		caseReference,
		invitation: null,
		appointment: null,
		waitlist: null,
		offer: null,
		cutoffHours: cutoffHours(config)
	};
}

/**
 * The case's planning as the applicant sees it: the invitation to act on (a rebooking one first),
 * its appointment, whether it is on the waitlist and an offer held for it.
 */
export async function getCasePlanning(
	db: Db,
	owner: Owner,
	reference: string,
	now = new Date(),
	config: PlanningConfig = planningConfig()
): Promise<CasePlanning> {
	const found = await repo.findOwnCaseWithLiveInvitation(db, reference, owner.id);
	if (!found) throw planningErrors.error('not_found');
	const row = found.invitation;
	const empty = noCasePlanning(found.caseReference, config);
	if (!row) return empty;
	const [locations, card, waitlist] = await Promise.all([
		repo.findLocationsByCodes(db, row.locations),
		repo.findActiveAppointmentCard(db, row.id),
		repo.findWaitlistOfInvitation(db, row.id)
	]);
	const byCode = new Map(locations.map((l) => [l.code, l]));
	return {
		...empty,
		invitation: {
			id: row.id,
			kind: row.kind,
			bookBefore: row.book_before,
			status: row.status === 'booked' ? 'booked' : 'open',
			priority: row.priority,
			locations: row.locations
				.map((code) => byCode.get(code))
				.filter((l) => l !== undefined)
				.map(({ code, name, address, accessibility, directions }) => ({
					code,
					name,
					address,
					accessibility,
					directions
				})),
			canAskSameGender: row.asylum && row.interpreter_language !== null,
			sameGenderRequested: row.same_gender_requested
		},
		appointment: card
			? {
					...placeOf(card),
					id: card.id,
					reference: card.reference,
					changeable: card.starts_at.getTime() - now.getTime() >= config.cancelCutoffMs,
					sequence: card.earlier_count ?? 0
				}
			: null,
		waitlist: waitlist.entry ? { joinedAt: waitlist.entry.joined_at } : null,
		offer:
			waitlist.offer && waitlist.offer.expires_at > now
				? {
						id: waitlist.offer.id,
						expiresAt: waitlist.offer.expires_at,
						place: placeOf(waitlist.offer)
					}
				: null
	};
}

/** How far ahead the booking page looks; the book-before day usually ends it first. */
export const SEARCH_DAYS = 42;

/**
 * Slot searches per applicant: enough for anyone choosing by hand, too few to be worth polling.
 * Freed places go to the waitlist in the order people joined, so polling buys nothing anyway.
 */
export function searchLimit(userId: number, env: NodeJS.ProcessEnv = process.env): Limit {
	return {
		key: `planning.search:user:${userId}`,
		limit: numberFromEnv(env.PLANNER_SEARCHES_PER_10_MINUTES, 60, {
			integer: true,
			positive: true
		}),
		windowMs: 10 * 60_000
	};
}

export interface SlotOption {
	id: number;
	startsAt: Date;
	endsAt: Date;
	location: string;
	/** The Amsterdam calendar day. */
	day: string;
}

/**
 * The free times the applicant's own invitation may book, counted against the applicant's search
 * limit: at one `location`, every free time; without one, the first free time of each location
 * (the page's first step asks no more). `exceptSlot` leaves out the slot they hold now (moving
 * to it changes nothing).
 */
export async function searchSlots(
	db: Db,
	owner: Owner,
	invitationId: number,
	options: { now?: Date; exceptSlot?: number; location?: string } = {}
): Promise<SlotOption[]> {
	const now = options.now ?? new Date();
	const verdict = await consume(db, [searchLimit(owner.id)], now);
	if (!verdict.allowed)
		throw planningErrors.error('search_throttled', {
			retryAt: verdict.retryAt,
			params: {
				minutes: Math.max(1, Math.ceil((verdict.retryAt.getTime() - now.getTime()) / 60_000))
			}
		});
	const slots = await findBookableSlots(db, {
		invitationId,
		userId: owner.id,
		from: now,
		days: SEARCH_DAYS,
		now,
		exceptSlot: options.exceptSlot,
		...(options.location === undefined
			? { firstPerLocation: true }
			: { location: options.location })
	});
	return slots.map((s) => ({
		id: s.id,
		startsAt: s.startsAt,
		endsAt: s.endsAt,
		location: s.location,
		day: dutchDate(s.startsAt)
	}));
}

/** The days with a free time at a location, each with its first time and count. */
export function daysWithSlots(slots: SlotOption[], location: string) {
	const days = new Map<string, { day: string; first: Date; count: number }>();
	for (const s of slots.filter((s) => s.location === location)) {
		const day = days.get(s.day);
		if (day) day.count += 1;
		else days.set(s.day, { day: s.day, first: s.startsAt, count: 1 });
	}
	return [...days.values()];
}

/** A waitlist offer of the applicant for this case, with the place it holds. */
export async function getOffer(
	db: Db,
	owner: Owner,
	reference: string,
	offerId: number,
	now = new Date()
) {
	const row =
		Number.isSafeInteger(offerId) && offerId > 0 && offerId <= 2_147_483_647
			? await repo.findOfferOfOwner(db, offerId, owner.id, reference)
			: undefined;
	if (!row) throw planningErrors.error('not_found');
	return {
		id: row.id,
		invitationId: row.invitation_id,
		expiresAt: row.expires_at,
		held: row.status === 'held' && row.expires_at > now,
		accepted: row.status === 'accepted',
		place: placeOf(row)
	};
}

/** The appointment reference as a QR code (SVG), for the desk to scan. */
export function appointmentQrSvg(reference: string): Promise<string> {
	return QRCode.toString(reference, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The case's active appointment as an iCalendar file, its texts in `lang`. */
export async function appointmentCalendarFile(
	db: Db,
	owner: Owner,
	reference: string,
	lang: string,
	now = new Date()
): Promise<{ filename: string; body: string }> {
	const planning = await getCasePlanning(db, owner, reference, now);
	const appointment = planning.appointment;
	if (!appointment) throw planningErrors.error('not_found');
	const t = translator(lang);
	const kind = t(`appointment:kind.${appointment.kind}`);
	const body = appointmentIcs(
		{
			reference: appointment.reference,
			title: t('appointment:ics.title', { kind }),
			description: [
				t('appointment:ics.reference', { reference: appointment.reference, case: reference }),
				t(`appointment:bring.${appointment.kind}`),
				appointment.location.directions
			]
				.filter(Boolean)
				.join('\n\n'),
			location: { name: appointment.location.name, address: appointment.location.address },
			startsAt: appointment.startsAt,
			endsAt: appointment.endsAt,
			sequence: appointment.sequence
		},
		now
	);
	return { filename: `${appointment.reference}.ics`, body };
}
