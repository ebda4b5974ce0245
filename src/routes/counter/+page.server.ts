import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { grantOf } from '$lib/server/auth/principal';
import { lookupSchema } from '$lib/server/cases/lookup.validation';
import { lookupCaseForStaff } from '$lib/server/cases/lookup.service';
import { submitForm } from '$lib/server/http/errors';

export const load: PageServerLoad = ({ locals }) => {
	return { desk: grantOf(requirePrincipal(locals, 'counter'), 'counter')?.desk ?? null };
};

export const actions: Actions = {
	// Reads happen only here, with a reason, never through a GET address that could be bookmarked or replayed.
	lookup: async ({ request, locals, getClientAddress }) => {
		const user = requirePrincipal(locals, 'counter');
		return submitForm(await request.formData(), lookupSchema, async (lookup) => ({
			summary: await lookupCaseForStaff(
				db,
				user,
				{ ...lookup, role: 'counter' },
				getClientAddress()
			)
		}));
	}
};
