import { z } from 'zod';
import type { EventErrorCode } from './event.errors';

export type { EventErrorCode };

export const MAX_EVENTS_PER_BATCH = 1000;
/** How far ahead of our clock an event may be dated: clocks differ a little, events do not happen later. */
export const MAX_FUTURE_MS = 5 * 60 * 1000;

import { REFERENCE_PATTERN } from '$lib/reference';
import { HEARING_KINDS, LOCATION_CODE } from '$lib/hearings';
import { DOCUMENT_CODES, MAX_DOCUMENT_NOTE, MAX_REQUESTED_DOCUMENTS } from '$lib/documents';
const isoDate = z.iso.date({ error: 'must be a date as YYYY-MM-DD' });

const envelope = z.object({
	id: z.uuid({ error: 'must be a UUID' }),
	type: z.string({ error: 'is required' }),
	occurredAt: z.iso.datetime({
		offset: true,
		error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-23T09:30:00Z'
	}),
	case: z
		.string({ error: 'is required' })
		.regex(REFERENCE_PATTERN, { error: 'must be a case reference such as IND-2026-000123' }),
	data: z.record(z.string(), z.unknown(), { error: 'must be an object' }).default({})
});

/** The data schema of each event type. Later capabilities add their types here. */
export const eventDataSchemas = {
	'case.submitted': z.object({
		product: z.string({ error: 'is required' }).min(1),
		vNumber: z
			.string({ error: 'is required' })
			.regex(/^\d{10}$/, { error: 'must be a V-number of 10 digits' }),
		applicant: z.object(
			{
				name: z.string({ error: 'is required' }).trim().min(1, { error: 'is required' }).max(200),
				birthDate: isoDate,
				language: z
					.string({ error: 'is required' })
					.regex(/^[a-z]{2,3}$/, { error: 'must be a language code such as nl, en or ar' }),
				email: z.email({ error: 'must be an e-mail address' }).max(254).optional()
			},
			{ error: 'must be an object with name, birthDate and language' }
		),
		sponsorKvk: z
			.string()
			.regex(/^\d{8}$/, { error: 'must be a KvK number of 8 digits' })
			.optional()
	}),
	'case.stage_entered': z.object({ stage: z.string({ error: 'is required' }).min(1) }),
	'case.decided': z.object({
		outcome: z.enum(['granted', 'refused', 'other'], { error: 'must be granted, refused or other' })
	}),
	'case.withdrawn': z.object({}),
	'case.deadline_extended': z.object({
		deadline: isoDate,
		reason: z.string({ error: 'is required' }).trim().min(1, { error: 'is required' }).max(500)
	}),
	/** The sponsor of the case changed; null: it has none any more. Access follows at once. */
	'case.sponsor_changed': z.object({
		sponsorKvk: z
			.string({ error: 'must be a KvK number of 8 digits, or null' })
			.regex(/^\d{8}$/, { error: 'must be a KvK number of 8 digits, or null' })
			.nullable()
	}),
	/** Herstel verzuim: the IND waits for these documents, to be sent before the date. */
	'case.documents_requested': z.object({
		missing: z
			.array(z.enum(DOCUMENT_CODES, { error: `must be one of ${DOCUMENT_CODES.join(', ')}` }), {
				error: 'must be a list of document codes'
			})
			.min(1, { error: 'must name at least one document' })
			.max(MAX_REQUESTED_DOCUMENTS, {
				error: `must name at most ${MAX_REQUESTED_DOCUMENTS} documents`
			}),
		before: isoDate,
		note: z
			.string({ error: 'must be text' })
			.trim()
			.max(MAX_DOCUMENT_NOTE, { error: `must be at most ${MAX_DOCUMENT_NOTE} characters` })
			.optional()
	}),
	'hearing.invited': z.object({
		kind: z.enum(HEARING_KINDS, { error: `must be one of ${HEARING_KINDS.join(', ')}` }),
		bookBefore: isoDate,
		locations: z
			.array(z.string().regex(LOCATION_CODE, { error: 'must be a location code such as DHG' }), {
				error: 'must be a list of location codes'
			})
			.min(1, { error: 'must name at least one location' })
			.max(20),
		interpreterLanguage: z
			.string()
			.regex(/^[a-z]{2,3}$/, { error: 'must be a language code such as ar or ti' })
			.optional(),
		interpreterInPerson: z.boolean({ error: 'must be true or false' }).optional()
	})
} as const;

export type EventType = keyof typeof eventDataSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;

export type IncomingEvent = {
	[T in EventType]: { id: string; type: T; occurredAt: Date; case: string; data: EventData<T> };
}[EventType];

export interface EventError {
	index: number;
	field: string;
	code: EventErrorCode;
	message: string;
}

function isEventType(type: string): type is EventType {
	return Object.hasOwn(eventDataSchemas, type);
}

function issuesToErrors(index: number, prefix: string, issues: z.core.$ZodIssue[]): EventError[] {
	return issues.map((issue) => ({
		index,
		field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
		code: 'invalid' as const,
		message: issue.message
	}));
}

export type BatchParse =
	{ ok: true; events: IncomingEvent[] } | { ok: false; errors: EventError[] };

/** Checks the shape of every event in a batch; the domain rules are checked when it is applied. */
export function parseBatch(body: unknown, now = new Date()): BatchParse {
	if (
		typeof body !== 'object' ||
		body === null ||
		!Array.isArray((body as { events?: unknown }).events)
	) {
		return {
			ok: false,
			errors: [
				{ index: -1, field: 'events', code: 'invalid', message: 'must be an array of events' }
			]
		};
	}
	const latest = new Date(now.getTime() + MAX_FUTURE_MS);
	const list = (body as { events: unknown[] }).events;
	const errors: EventError[] = [];
	const events: IncomingEvent[] = [];
	const seen = new Map<string, number>();
	list.forEach((item, index) => {
		const head = envelope.safeParse(item);
		if (!head.success) {
			errors.push(...issuesToErrors(index, '', head.error.issues));
			return;
		}
		const { id, type, occurredAt, data } = head.data;
		if (!isEventType(type)) {
			errors.push({
				index,
				field: 'type',
				code: 'unknown_type',
				message: `unknown event type "${type}"; known: ${Object.keys(eventDataSchemas).join(', ')}`
			});
			return;
		}
		const parsed = eventDataSchemas[type].safeParse(data);
		if (!parsed.success) {
			errors.push(...issuesToErrors(index, 'data', parsed.error.issues));
			return;
		}
		const earlier = seen.get(id);
		if (earlier !== undefined) {
			errors.push({
				index,
				field: 'id',
				code: 'duplicate_id',
				message: `repeats the id of event ${earlier} in this batch`
			});
			return;
		}
		seen.set(id, index);
		// A case only moves forward in time: one event dated ahead would refuse every true event after it.
		const at = new Date(occurredAt);
		if (at > latest) {
			errors.push({
				index,
				field: 'occurredAt',
				code: 'in_future',
				message: `is ${at.toISOString()}, more than 5 minutes after the portal's clock (${now.toISOString()}); send events once they have happened`
			});
			return;
		}
		// The parsed data, not the body: fields the schema does not know are not stored.
		events.push({
			id,
			type,
			occurredAt: at,
			case: head.data.case,
			data: parsed.data
		} as IncomingEvent);
	});
	return errors.length ? { ok: false, errors } : { ok: true, events };
}
