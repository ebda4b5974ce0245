/**
 * The hearing kinds the planner knows (rows of `hearing_kind`), for the server's validation and
 * the planner's forms alike. Browser-safe. What to bring is an i18n key per kind.
 */
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

/**
 * The genders of an interpreter, and those an applicant gives when they ask for an interpreter and
 * officer of their own gender.
 */
export const GENDERS = ['female', 'male', 'other'] as const;

export type Gender = (typeof GENDERS)[number];

/** An invitation that still counts: open to book, or booked with an appointment to keep. */
export const LIVE_INVITATION_STATUSES = ['open', 'booked'] as const;
