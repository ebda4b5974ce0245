import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';
import { ingestEvents } from '$lib/server/events/event.service';
import { MAX_EVENTS_PER_BATCH } from '$lib/server/events/event.validation';
import { apiHandler } from '$lib/server/http/errors';
import { API_KEY_HINT, apiErrors, whileDatabaseUp } from '$lib/server/http/api.errors';

/** 1,000 events of a few hundred bytes each fit well within this. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

const tooLarge = (detail: string) => apiErrors.error('too_large', { detail });

export const POST: RequestHandler = ({ request, locals, getClientAddress }) =>
	apiHandler(async () => {
		// hooks.server.ts refuses /api/v1 without a valid key; this keeps the endpoint safe on its own.
		if (locals.apiKeyId === null)
			throw apiErrors.error('unauthenticated', { detail: API_KEY_HINT });
		const limit = `the body may be at most ${MAX_BODY_BYTES} bytes`;
		if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw tooLarge(limit);
		const text = await request.text();
		if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw tooLarge(limit);

		let body: unknown;
		try {
			body = JSON.parse(text);
		} catch {
			throw apiErrors.error('invalid', { detail: 'the body must be JSON: {"events": [...]}' });
		}
		const events = (body as { events?: unknown })?.events;
		if (Array.isArray(events) && events.length > MAX_EVENTS_PER_BATCH)
			throw tooLarge(
				`a batch may hold at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events.length}`
			);

		// Every accepted batch is a write by the case system: the audit log records it. A batch is
		// one transaction and event ids make it idempotent, so sending it again after a 503 is safe.
		const result = await whileDatabaseUp('send the same batch again later', () =>
			ingestEvents(db, body, {
				actor: {
					userId: null,
					role: 'api',
					organisation: `api-key:${locals.apiKeyId}`,
					ip: getClientAddress()
				}
			})
		);
		return json(
			{ accepted: result.accepted, duplicates: result.duplicates },
			{ headers: { 'Cache-Control': 'no-store' } }
		);
	});
