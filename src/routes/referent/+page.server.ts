import type { PageServerLoad } from './$types';
import { REFERENT_ROLES } from '$lib/access';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { workspaceQuerySchema } from '$lib/server/referent/workspace.validation';
import { getWorkspace } from '$lib/server/referent/workspace.service';

export const load: PageServerLoad = async ({ locals, url, getClientAddress }) => {
	const user = requirePrincipal(locals, ...REFERENT_ROLES);
	const query = workspaceQuerySchema.parse(Object.fromEntries(url.searchParams));
	const organisations = new Map<string, string>();
	for (const grant of user.roles)
		if (REFERENT_ROLES.includes(grant.role as never) && grant.organisationKvk)
			organisations.set(grant.organisationKvk, grant.organisationName ?? grant.organisationKvk);
	return {
		query: {
			q: query.q,
			product: query.product ?? '',
			stage: query.stage ?? '',
			action: !!query.action,
			deadline: query.deadline ?? '',
			decided: !!query.decided,
			sort: query.sort
		},
		organisations: [...organisations].map(([kvk, name]) => ({ kvk, name })),
		...(await getWorkspace(db, user, query, getClientAddress()))
	};
};
