import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';
import { issueActivationLetter, letterErrors } from '$lib/server/auth/activation-letter.service';
import { statusOf } from '$lib/server/http/errors';

const noStore = { 'Cache-Control': 'no-store' };
const requestIdSchema = z.uuidv4();

function problem(
	status: number,
	field: string,
	code: string,
	message: string,
	headers: Record<string, string> = {}
) {
	return json(
		{ errors: [{ index: -1, field, code, message }] },
		{ status, headers: { ...noStore, ...headers } }
	);
}

/**
 * Issues the activation letter the IND prints. POST, as it changes state: a new `Idempotency-Key`
 * issues a new code and retires the earlier ones; the same key within 24 hours returns the same letter.
 */
export const POST: RequestHandler = async ({ params, request, locals, getClientAddress }) => {
	// hooks.server.ts refuses /api/v1 without a valid key; this keeps the endpoint safe on its own.
	if (locals.apiKeyId === null)
		return problem(
			401,
			'',
			'unauthenticated',
			'send a valid, unrevoked API key as "Authorization: Bearer <key>"',
			{ 'WWW-Authenticate': 'Bearer' }
		);
	const requestId = request.headers.get('idempotency-key')?.trim() ?? '';
	if (!requestIdSchema.safeParse(requestId).success) {
		return problem(
			400,
			'Idempotency-Key',
			'invalid',
			'send a new random UUID (version 4) as the Idempotency-Key header for each letter, and the same one when you retry it'
		);
	}
	try {
		const result = await issueActivationLetter(db, {
			reference: params.reference,
			requestId,
			apiKeyId: locals.apiKeyId,
			actor: {
				userId: null,
				role: 'api',
				ip: getClientAddress(),
				organisation: `api-key:${locals.apiKeyId}`
			}
		});
		return json(result.letter, {
			headers: { ...noStore, ...(result.replayed ? { 'Idempotent-Replayed': 'true' } : {}) }
		});
	} catch (e) {
		if (!letterErrors.is(e)) throw e;
		// 422 until the error model has a kind for it; the other codes keep their kind's status.
		const status = e.code === 'request_id_reused' ? 422 : statusOf(e.kind);
		return problem(status, e.field, e.code, e.message);
	}
};

export const GET: RequestHandler = () =>
	problem(405, '', 'method_not_allowed', 'issue a letter with POST and an Idempotency-Key header', {
		Allow: 'POST'
	});
