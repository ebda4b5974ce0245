import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { db, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '$lib/server/db';
import { ingestEvents } from '$lib/server/events/event.service';
import { MAX_EVENTS_PER_BATCH } from '$lib/server/events/event.validation';

/** 1,000 events of a few hundred bytes each fit well within this. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

const noStore = { 'Cache-Control': 'no-store' };

function problem(status: number, message: string, headers: Record<string, string> = {}) {
	return json(
		{ errors: [{ index: -1, field: '', message }] },
		{ status, headers: { ...noStore, ...headers } }
	);
}

export const POST: RequestHandler = async ({ request, locals, getClientAddress }) => {
	// hooks.server.ts refuses /api/v1 without a valid key; this keeps the endpoint safe on its own.
	if (locals.apiKeyId === null)
		return problem(401, 'send a valid, unrevoked API key as "Authorization: Bearer <key>"', {
			'WWW-Authenticate': 'Bearer'
		});
	const declared = Number(request.headers.get('content-length') ?? 0);
	if (declared > MAX_BODY_BYTES)
		return problem(413, `the body may be at most ${MAX_BODY_BYTES} bytes`);
	const text = await request.text();
	if (Buffer.byteLength(text) > MAX_BODY_BYTES)
		return problem(413, `the body may be at most ${MAX_BODY_BYTES} bytes`);

	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		return problem(400, 'the body must be JSON: {"events": [...]}');
	}
	const events = (body as { events?: unknown })?.events;
	if (Array.isArray(events) && events.length > MAX_EVENTS_PER_BATCH) {
		return problem(
			413,
			`a batch may hold at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events.length}`
		);
	}

	// Every accepted batch is a write by the case system: the audit log records it.
	const result = await ingestEvents(db, body, {
		actor: {
			userId: null,
			role: 'api',
			organisation: `api-key:${locals.apiKeyId}`,
			ip: getClientAddress()
		}
	}).catch((e: unknown) => {
		// A batch is one transaction and event ids make it idempotent: sending it again is safe.
		if (isDatabaseUnavailable(e)) return null;
		throw e;
	});
	if (result === null)
		return problem(503, 'the database is unavailable; send the same batch again later', {
			'Retry-After': String(RETRY_AFTER_SECONDS)
		});
	if (!result.ok) return json({ errors: result.errors }, { status: 400, headers: noStore });
	return json({ accepted: result.accepted, duplicates: result.duplicates }, { headers: noStore });
};
