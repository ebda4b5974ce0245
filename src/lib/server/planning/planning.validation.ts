import { z } from 'zod';
import { dutchWallTime } from '$lib/time';
import { GENDERS, HEARING_KINDS, LOCATION_CODE } from '$lib/hearings';

// The planner's forms. Messages are keys under `planning:staff.errors`.
const E = (code: string) => `planning:staff.errors.${code}`;

const text = (max: number, required: string | null) => {
	const base = z.string().trim().max(max, E('too_long'));
	return required ? base.min(1, E(required)) : base.default('');
};
/** A whole number from a form field, within bounds. */
const whole = (min: number, max: number, message: string) =>
	z
		.string()
		.trim()
		.regex(/^\d{1,9}$/, E(message))
		.transform(Number)
		.pipe(z.number().int().min(min, E(message)).max(max, E(message)));
/** An id a form carries in a hidden field; a tampered one is reported at `field`. */
const hiddenId = (field: string) =>
	z.object({ id: z.string().optional() }).transform((v, ctx) => {
		if (v.id && /^\d{1,9}$/.test(v.id) && Number(v.id) > 0) return Number(v.id);
		ctx.addIssue({ code: 'custom', path: [field], message: E('not_found') });
		return z.NEVER;
	});
const isoDay = z
	.string()
	.trim()
	.regex(/^\d{4}-\d{2}-\d{2}$/, E('date'))
	.refine(
		(d) =>
			!Number.isNaN(Date.parse(`${d}T12:00:00Z`)) &&
			new Date(`${d}T12:00:00Z`).toISOString().startsWith(d),
		E('date')
	);
const quarter = (message: string) =>
	z
		.string()
		.trim()
		.regex(/^([01][0-9]|2[0-3]):(00|15|30|45)$/, E(message));

export const locationSchema = z.object({
	code: z
		.string()
		.trim()
		.transform((c) => c.toUpperCase())
		.pipe(z.string().min(1, E('code_required')).regex(LOCATION_CODE, E('code_format'))),
	name: text(200, 'name_required'),
	address: text(500, 'address_required'),
	accessibility: text(2000, null),
	directions: text(2000, null)
});

export const templateSchema = z.object({
	kind: z.enum(HEARING_KINDS, E('kind_required')),
	weekday: whole(1, 7, 'weekday_required'),
	startTime: quarter('start_time'),
	rooms: whole(1, 99, 'rooms')
});

export const removeTemplateSchema = hiddenId('templates-caption');

export const generateSchema = z.object({
	from: isoDay,
	weeks: whole(1, 12, 'weeks')
});

export const interpreterSchema = z.object({
	language: z
		.string()
		.trim()
		.toLowerCase()
		.regex(/^[a-z]{2,3}$/, E('language')),
	gender: z.enum(GENDERS, E('gender_required')),
	name: text(200, null)
});

export const shiftSchema = z
	.object({
		interpreterId: z.string().optional(),
		shiftDay: isoDay,
		shiftFrom: quarter('shift_from'),
		shiftTo: quarter('shift_to')
	})
	.superRefine((v, ctx) => {
		if (v.shiftFrom && v.shiftTo && v.shiftTo <= v.shiftFrom)
			ctx.addIssue({ code: 'custom', path: ['shiftTo'], message: E('shift_order') });
		if (!v.interpreterId || !/^\d{1,9}$/.test(v.interpreterId))
			ctx.addIssue({ code: 'custom', path: ['interpreterId'], message: E('interpreter_required') });
	})
	.transform((v) => ({
		interpreterId: Number(v.interpreterId),
		startsAt: dutchWallTime(v.shiftDay, v.shiftFrom),
		endsAt: dutchWallTime(v.shiftDay, v.shiftTo)
	}));

const reason = text(500, 'reason_required');

export const closeSlotSchema = z
	.object({ slot: z.string().optional(), reason })
	.superRefine((v, ctx) => {
		if (!v.slot || !/^\d{1,9}$/.test(v.slot))
			ctx.addIssue({ code: 'custom', path: ['slot'], message: E('slot_required') });
	})
	.transform((v) => ({ slotId: Number(v.slot), reason: v.reason }));

export const closeDaySchema = z.object({ dayReason: reason });

export const attendanceSchema = z
	.object({ appointmentId: z.string().optional(), outcome: z.string().optional() })
	.transform((v, ctx) => {
		if (
			!v.appointmentId ||
			!/^\d{1,9}$/.test(v.appointmentId) ||
			!['attended', 'no_show'].includes(v.outcome ?? '')
		) {
			ctx.addIssue({ code: 'custom', path: ['day-caption'], message: E('not_found') });
			return z.NEVER;
		}
		return { appointmentId: Number(v.appointmentId), outcome: v.outcome as 'attended' | 'no_show' };
	});

const id = (message: string) =>
	z.coerce
		.number({ error: message })
		.int({ error: message })
		.positive({ error: message })
		// An id beyond PostgreSQL's integer is no id of ours, and must not reach the query.
		.max(2_147_483_647, { error: message });
const requestKey = z.uuid({ error: 'planning:errors.key_reused' });

/** The confirm step's form: the slot chosen and the key that makes a repeat book once. */
export const bookSchema = z.object({
	invitation: id('planning:errors.not_found'),
	slot: id('planning:errors.slot_not_found'),
	key: requestKey
});

export const rescheduleSchema = z.object({
	appointment: id('planning:errors.not_found'),
	slot: id('planning:errors.slot_not_found'),
	key: requestKey
});

export const appointmentSchema = z.object({ appointment: id('planning:errors.not_found') });

export const invitationSchema = z.object({ invitation: id('planning:errors.not_found') });

export const sameGenderSchema = z.object({
	invitation: id('planning:errors.not_found'),
	gender: z.enum(GENDERS, { error: 'appointment:same_gender.gender_required' })
});

export const acceptOfferSchema = z.object({ key: requestKey });
