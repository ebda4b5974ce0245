import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';
import { problemResponse } from '$lib/server/http/errors';
import { API_KEY_HINT, apiErrors, type ApiErrorCode } from '$lib/server/http/api.errors';
import { issueActivationLetter, letterErrors } from '$lib/server/auth/activation-letter.service';

const noStore = { 'Cache-Control': 'no-store' };
const requestIdSchema = z.uuidv4();

function problem(
	code: ApiErrorCode,
	field: string,
	detail: string,
	headers: Record<string, string> = {}
) {
	return problemResponse(apiErrors.error(code, { field, detail }), headers);
}

/**
 * Issues the activation letter the IND prints. POST, as it changes state: a new `Idempotency-Key`
 * issues a new code and retires the earlier ones; the same key within 24 hours returns the same letter.
 */
export const POST: RequestHandler = async ({ params, request, locals, getClientAddress }) => {
	// hooks.server.ts refuses /api/v1 without a valid key; this keeps the endpoint safe on its own.
	if (locals.apiKeyId === null) return problem('unauthenticated', '', API_KEY_HINT);
	const requestId = request.headers.get('idempotency-key')?.trim() ?? '';
	if (!requestIdSchema.safeParse(requestId).success) {
		return problem(
			'invalid',
			'Idempotency-Key',
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
		if (letterErrors.is(e)) return problemResponse(e);
		throw e;
	}
};

export const GET: RequestHandler = () =>
	problem('method_not_allowed', '', 'issue a letter with POST and an Idempotency-Key header', {
		Allow: 'POST'
	});
