import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { grantOf } from '$lib/server/auth/principal';
import { lookupSchema } from '$lib/server/cases/lookup.validation';
import { lookupCaseForStaff } from '$lib/server/cases/lookup.service';
import { formFailure, parseForm } from '$lib/validation/form';

export const load: PageServerLoad = ({ locals }) => {
	return { desk: grantOf(requirePrincipal(locals, 'counter'), 'counter')?.desk ?? null };
};

export const actions: Actions = {
	// Reads happen only here, with a reason, never through a GET address that could be bookmarked or replayed.
	lookup: async ({ request, locals, getClientAddress }) => {
		const user = requirePrincipal(locals, 'counter');
		const form = await request.formData();
		const parsed = parseForm(lookupSchema, form);
		if (!parsed.ok) return formFailure(400, form, parsed.errors);
		const result = await lookupCaseForStaff(
			db,
			user,
			'counter',
			parsed.data.reference,
			parsed.data.reason,
			getClientAddress()
		);
		if (!result.ok)
			return formFailure(result.error.field === 'reference' ? 404 : 400, form, [result.error]);
		return { summary: result.summary };
	}
};
