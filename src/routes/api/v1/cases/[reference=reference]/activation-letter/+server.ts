import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';
import { defineErrors } from '$lib/server/errors';
import { problemResponse } from '$lib/server/http/errors';
import { API_KEY_HINT, apiErrors, type ApiErrorCode } from '$lib/server/http/api.errors';
import {
	issueActivationLetter,
	LETTER_REPLAY_HOURS
} from '$lib/server/auth/activation-letter.service';

const noStore = { 'Cache-Control': 'no-store' };
const requestIdSchema = z.uuidv4();

// The letter service's refusals, until it throws errors of its own catalogue.
const letterErrors = defineErrors('letters', {
	unknown_case: { kind: 'not_found', field: 'reference' },
	request_id_reused: { kind: 'unprocessable', field: 'Idempotency-Key' },
	replay_expired: { kind: 'conflict', field: 'Idempotency-Key' }
});

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
	if (!result.ok) {
		switch (result.code) {
			case 'unknown_case':
				return problemResponse(
					letterErrors.error(result.code, { detail: `case ${params.reference} is unknown` })
				);
			case 'request_id_reused':
				return problemResponse(
					letterErrors.error(result.code, {
						detail: 'this request id already issued the letter of another case; send a new one'
					})
				);
			case 'replay_expired':
				return problemResponse(
					letterErrors.error(result.code, {
						detail: `this request id issued a letter more than ${LETTER_REPLAY_HOURS} hours ago and its code is no longer kept; send a new request id to issue a new code (it retires the earlier one)`
					})
				);
		}
	}
	return json(result.letter, {
		headers: { ...noStore, ...(result.replayed ? { 'Idempotent-Replayed': 'true' } : {}) }
	});
};

export const GET: RequestHandler = () =>
	problem('method_not_allowed', '', 'issue a letter with POST and an Idempotency-Key header', {
		Allow: 'POST'
	});
