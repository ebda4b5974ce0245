import type { PageServerLoad } from './$types';
import { REFERENT_ROLES } from '$lib/access';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { getSponsoredCase } from '$lib/server/referent/workspace.service';
import { loadOrError } from '$lib/server/http/errors';

export const load: PageServerLoad = async ({ locals, params, getClientAddress }) => {
	const user = requirePrincipal(locals, ...REFERENT_ROLES);
	// Audited read; a case of another organisation is "not found", so its existence does not leak.
	return loadOrError(locals.lang, () =>
		getSponsoredCase(db, user, params.reference, getClientAddress())
	);
};
