import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';
import { listCaseChanges } from '$lib/server/changes/change.service';
import { apiHandler } from '$lib/server/http/errors';
import { API_KEY_HINT, apiErrors, whileDatabaseUp } from '$lib/server/http/api.errors';

const MAX_LIMIT = 1000;

/** A cursor or limit: digits only, so `1e3`, `-1` and ` 5` are refused, not read as something else. */
function wholeNumber(raw: string | null, name: string, fallback: number, max: number): number {
	if (raw === null) return fallback;
	const value = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
	if (!Number.isSafeInteger(value) || value > max)
		throw apiErrors.error('invalid', {
			field: name,
			detail: `${name} must be a whole number from 0 to ${max}`
		});
	return value;
}

/**
 * The change feed, oldest first: `?after=<cursor>` continues after the last change read, so a
 * client that stores `next` and asks again misses nothing and sees nothing twice.
 */
export const GET: RequestHandler = ({ url, locals }) =>
	apiHandler(async () => {
		if (locals.apiKeyId === null)
			throw apiErrors.error('unauthenticated', { detail: API_KEY_HINT });
		const after = wholeNumber(url.searchParams.get('after'), 'after', 0, Number.MAX_SAFE_INTEGER);
		const limit = wholeNumber(url.searchParams.get('limit'), 'limit', 500, MAX_LIMIT);
		if (limit === 0)
			throw apiErrors.error('invalid', { field: 'limit', detail: 'limit must be at least 1' });
		const changes = await whileDatabaseUp('ask again later with the same cursor', () =>
			listCaseChanges(db, after, limit)
		);
		return json(
			{
				changes: changes.map((c) => ({
					cursor: c.cursor,
					at: c.at.toISOString(),
					kind: c.kind,
					case: c.case,
					data: c.data
				})),
				next: changes.at(-1)?.cursor ?? after,
				more: changes.length === limit
			},
			{ headers: { 'Cache-Control': 'no-store' } }
		);
	});
