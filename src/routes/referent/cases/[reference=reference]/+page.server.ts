import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { findSponsoredSummary } from '$lib/server/cases/lookup.service';
import { translator } from '$lib/i18n';

export const load: PageServerLoad = async ({ locals, params, getClientAddress }) => {
	// Audited read; a case of another organisation is "not found", so its existence does not leak.
	const summary = await findSponsoredSummary(db, locals.user!, params.reference, getClientAddress());
	if (!summary) error(404, translator(locals.lang)('referent:case.not_found'));
	return { summary };
};
