import { randomUUID } from 'node:crypto';
import { redirect } from '@sveltejs/kit';
import type { z } from 'zod';
import type { Action, Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { nudgeEmail } from '$lib/server/app';
import { requireApplicant } from '$lib/server/auth/access';
import type { Principal } from '$lib/server/auth/principal';
import { loadOrError, submitForm } from '$lib/server/http/errors';
import {
	appointmentQrSvg,
	daysWithSlots,
	getCasePlanning,
	requireOwnCase,
	searchSlots,
	type LocationView,
	type SlotOption
} from '$lib/server/planning/applicant.service';
import { book, cancel, requestSameGender, reschedule } from '$lib/server/planning/booking.service';
import { joinWaitlist } from '$lib/server/planning/waitlist.service';
import {
	appointmentSchema,
	bookSchema,
	invitationSchema,
	rescheduleSchema,
	sameGenderSchema
} from '$lib/server/planning/planning.validation';
import { parseForm, type FieldError } from '$lib/validation/form';

type View =
	| { step: 'none' }
	| { step: 'cancel' }
	| { step: 'card'; qr: string }
	| { step: 'location'; none: boolean; firstFree: Record<string, Date | null> }
	| { step: 'day'; location: LocationView; days: ReturnType<typeof daysWithSlots> }
	| { step: 'time'; location: LocationView; day: string; times: SlotOption[] }
	| { step: 'confirm'; location: LocationView; day: string; slot: SlotOption; key: string };

const DONE = ['booked', 'moved', 'cancelled', 'waitlist', 'same_gender', 'offer_accepted'] as const;

/**
 * One page, several steps, each a GET with its choices in the query (location, day, slot), so the
 * browser's back and forward buttons work and nothing needs JavaScript. Only the confirm step
 * writes, with a POST that carries an idempotency key made when that step was shown.
 */
export const load: PageServerLoad = async ({ locals, params, url }) => {
	const user = requireApplicant(locals);
	return loadOrError(locals.lang, async () => {
		const planning = await getCasePlanning(db, user, params.reference);
		const q = url.searchParams;
		const doneParam = q.get('done');
		const done = DONE.find((d) => d === doneParam) ?? null;
		const { invitation, appointment } = planning;
		const base = { planning, done, changing: false, problem: null as FieldError | null };
		if (!invitation) return { ...base, view: { step: 'none' } as View };

		const changing = q.get('change') === '1' && appointment !== null;
		if (appointment && q.get('cancel') === '1' && appointment.changeable)
			return { ...base, view: { step: 'cancel' } as View };
		if (appointment && (!changing || !appointment.changeable))
			return {
				...base,
				view: { step: 'card', qr: await appointmentQrSvg(appointment.reference) } as View
			};

		const flow = { ...base, changing };
		const locationParam = q.get('location');
		const location = invitation.locations.find((l) => l.code === locationParam);
		// Without a location: the first free time of each; with one: every free time there.
		const slots = await searchSlots(db, user, invitation.id, {
			exceptSlot: appointment?.slotId,
			location: location?.code
		});
		if (!location)
			return {
				...flow,
				problem: locationParam
					? { field: 'location', key: 'planning:errors.unknown_location' }
					: null,
				view: {
					step: 'location',
					none: slots.length === 0,
					firstFree: Object.fromEntries(
						invitation.locations.map((l) => [
							l.code,
							slots.find((s) => s.location === l.code)?.startsAt ?? null
						])
					)
				} as View
			};
		const days = daysWithSlots(slots, location.code);
		const dayParam = q.get('day');
		const day = days.find((d) => d.day === dayParam);
		if (!day)
			return {
				...flow,
				problem: dayParam ? { field: 'day', key: 'appointment:day.gone' } : null,
				view: { step: 'day', location, days } as View
			};
		const times = slots.filter((s) => s.location === location.code && s.day === day.day);
		const slotParam = q.get('slot');
		const slot = times.find((s) => String(s.id) === slotParam);
		if (!slot)
			return {
				...flow,
				problem: slotParam ? { field: 'slot', key: 'planning:errors.slot_closed' } : null,
				view: { step: 'time', location, day: day.day, times } as View
			};
		// A new key each time the step is shown; a repeat of the same POST books once.
		return {
			...flow,
			view: { step: 'confirm', location, day: day.day, slot, key: randomUUID() } as View
		};
	});
};

const actorOf = (user: Principal, ip: string) => ({ userId: user.id, role: 'applicant', ip });

/** The case must be the applicant's own before anything else is read: someone else's is 404. */
async function ownCase(locals: App.Locals, reference: string) {
	const user = requireApplicant(locals);
	await loadOrError(locals.lang, () => requireOwnCase(db, user, reference));
	return user;
}

/**
 * An action of the applicant on their own case: the form read with `schema`, the work done as the
 * applicant, then the page again with the message `done`.
 */
function onOwnCase<S extends z.ZodType>(
	schema: S,
	done: (typeof DONE)[number],
	work: (input: z.infer<S>, actor: ReturnType<typeof actorOf>) => Promise<unknown>
): Action {
	return async ({ request, locals, params, getClientAddress }) => {
		const user = await ownCase(locals, params.reference);
		const actor = actorOf(user, getClientAddress());
		return submitForm(await request.formData(), schema, async (input) => {
			await work(input, actor);
			redirect(303, `/cases/${params.reference}/appointment?done=${done}`);
		});
	};
}

export const actions: Actions = {
	// The busiest action at a rush. With a valid form the service checks the case in the query it
	// makes anyway; an invalid form is answered only once the case is known to be one's own.
	book: async ({ request, locals, params, getClientAddress }) => {
		const actor = actorOf(requireApplicant(locals), getClientAddress());
		const form = await request.formData();
		if (!parseForm(bookSchema, form).ok) await ownCase(locals, params.reference);
		return submitForm(form, bookSchema, async (input) => {
			await book(db, {
				caseReference: params.reference,
				invitationId: input.invitation,
				slotId: input.slot,
				idempotencyKey: input.key,
				actor
			});
			redirect(303, `/cases/${params.reference}/appointment?done=booked`);
		});
	},
	reschedule: onOwnCase(rescheduleSchema, 'moved', async (input, actor) => {
		await reschedule(db, {
			appointmentId: input.appointment,
			newSlotId: input.slot,
			idempotencyKey: input.key,
			actor
		});
		// A freed place may have gone to the waitlist: its e-mail leaves now.
		await nudgeEmail();
	}),
	cancel: onOwnCase(appointmentSchema, 'cancelled', async (input, actor) => {
		await cancel(db, { appointmentId: input.appointment, actor });
		// A freed place may have gone to the waitlist: its e-mail leaves now.
		await nudgeEmail();
	}),
	waitlist: onOwnCase(invitationSchema, 'waitlist', (input, actor) =>
		joinWaitlist(db, { invitationId: input.invitation, actor })
	),
	sameGender: onOwnCase(sameGenderSchema, 'same_gender', (input, actor) =>
		requestSameGender(db, { invitationId: input.invitation, applicantGender: input.gender, actor })
	)
};
