import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { sponsoredQuerySchema } from '$lib/server/cases/lookup.validation';
import { findSponsoredPage } from '$lib/server/cases/lookup.service';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = locals.user!;
	const query = sponsoredQuerySchema.parse(Object.fromEntries(url.searchParams));
	const result = await findSponsoredPage(db, user, query);
	if (query.page > result.pages) {
		const last = new URL(url);
		last.searchParams.set('page', String(result.pages));
		redirect(307, last.pathname + last.search);
	}
	const organisations = new Map<string, string>();
	for (const grant of user.roles) {
		if ((grant.role === 'referent_admin' || grant.role === 'referent_member') && grant.organisationKvk) {
			organisations.set(grant.organisationKvk, grant.organisationName ?? grant.organisationKvk);
		}
	}
	return {
		query: { q: query.q, status: query.status ?? '' },
		organisations: [...organisations].map(([kvk, name]) => ({ kvk, name })),
		...result
	};
};
