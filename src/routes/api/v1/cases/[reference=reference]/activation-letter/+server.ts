import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';
import { issueActivationCode } from '$lib/server/auth/account.service';
import { recordAudit } from '$lib/server/audit/audit.service';

/**
 * The activation code for the letter the IND prints. Codes are stored hashed, so every call
 * issues a new code (valid 30 days) and retires the earlier ones: print the latest.
 */
export const GET: RequestHandler = async ({ params, locals, getClientAddress }) => {
	if (locals.apiKeyId === null) return json({ errors: [{ field: '', message: 'API key required' }] }, { status: 401 });
	const letter = await issueActivationCode(db, params.reference);
	if (!letter) {
		return json({ errors: [{ index: -1, field: 'reference', message: `case ${params.reference} is unknown` }] }, { status: 404, headers: { 'Cache-Control': 'no-store' } });
	}
	await recordAudit(db, { userId: null, role: 'api', ip: getClientAddress(), organisation: `api-key:${locals.apiKeyId}` }, { action: 'activation_letter.issued', subject: `case:${params.reference}` });
	return json(
		{
			reference: letter.reference,
			vNumber: letter.vNumber,
			name: letter.name,
			language: letter.language,
			code: letter.code,
			expiresAt: letter.expiresAt.toISOString(),
			alreadyActivated: letter.alreadyActivated
		},
		{ headers: { 'Cache-Control': 'no-store' } }
	);
};
