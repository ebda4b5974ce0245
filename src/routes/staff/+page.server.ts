import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { hasRole } from '$lib/server/auth/principal';
import { officeLookupSchema } from '$lib/server/cases/lookup.validation';
import { OFFICE_ROLES } from '$lib/roles';
import { lookupCaseForStaff } from '$lib/server/cases/lookup.service';
import { submitForm } from '$lib/server/http/errors';

export const load: PageServerLoad = ({ locals }) => {
	const user = requirePrincipal(locals, ...OFFICE_ROLES);
	const roles = OFFICE_ROLES.filter((r) => hasRole(user, r));
	return { roles, isAdmin: roles.includes('admin') };
};

export const actions: Actions = {
	lookup: async ({ request, locals, getClientAddress }) => {
		const user = requirePrincipal(locals, ...OFFICE_ROLES);
		return submitForm(await request.formData(), officeLookupSchema, async (lookup) => ({
			summary: await lookupCaseForStaff(db, user, lookup, getClientAddress()),
			role: lookup.role
		}));
	}
};
