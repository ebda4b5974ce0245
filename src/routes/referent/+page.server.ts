import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { REFERENT_ROLES } from '$lib/access';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { sponsoredQuerySchema } from '$lib/server/cases/lookup.validation';
import { findSponsoredPage } from '$lib/server/cases/lookup.service';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requirePrincipal(locals, ...REFERENT_ROLES);
	const query = sponsoredQuerySchema.parse(Object.fromEntries(url.searchParams));
	const result = await findSponsoredPage(db, user, query);
	if (query.page > result.pages) {
		const last = new URL(url);
		last.searchParams.set('page', String(result.pages));
		redirect(307, last.pathname + last.search);
	}
	const organisations = new Map<string, string>();
	for (const grant of user.roles) {
		if (
			(grant.role === 'referent_admin' || grant.role === 'referent_member') &&
			grant.organisationKvk
		) {
			organisations.set(grant.organisationKvk, grant.organisationName ?? grant.organisationKvk);
		}
	}
	return {
		query: { q: query.q, status: query.status ?? '' },
		organisations: [...organisations].map(([kvk, name]) => ({ kvk, name })),
		...result
	};
};
