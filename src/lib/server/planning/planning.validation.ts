import { z } from 'zod';

/** The hearing kinds the planner knows (rows of `hearing_kind`); what to bring is an i18n key per kind. */
export const HEARING_KINDS = [
	'registration_interview',
	'detailed_interview',
	'nareis_interview',
	'document_collection',
	'biometrics'
] as const;

export type HearingKind = (typeof HEARING_KINDS)[number];

/** A location code as the case system sends it, e.g. `DHG`. */
export const LOCATION_CODE = /^[A-Z0-9]{2,8}$/;

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
	gender: z.enum(['female', 'male', 'other'], { error: 'appointment:same_gender.gender_required' })
});

export const acceptOfferSchema = z.object({ key: requestKey });
