import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { hasRole } from '$lib/server/auth/principal';
import { officeLookupSchema } from '$lib/server/cases/lookup.validation';
import { OFFICE_ROLES } from '$lib/roles';
import { lookupCaseForStaff } from '$lib/server/cases/lookup.service';
import { formFailure, parseForm } from '$lib/validation/form';

export const load: PageServerLoad = ({ locals }) => {
	const user = requirePrincipal(locals, ...OFFICE_ROLES);
	const roles = OFFICE_ROLES.filter((r) => hasRole(user, r));
	return { roles, isAdmin: roles.includes('admin') };
};

export const actions: Actions = {
	lookup: async ({ request, locals, getClientAddress }) => {
		const user = requirePrincipal(locals, ...OFFICE_ROLES);
		const form = await request.formData();
		const parsed = parseForm(officeLookupSchema, form);
		if (!parsed.ok) return formFailure(400, form, parsed.errors);
		// The audit log records the role the officer acts in, so it must be one they hold.
		if (!hasRole(user, parsed.data.role))
			return formFailure(400, form, [{ field: 'role', key: 'staff:lookup.errors.role_required' }]);
		const result = await lookupCaseForStaff(
			db,
			user,
			parsed.data.role,
			parsed.data.reference,
			parsed.data.reason,
			getClientAddress()
		);
		if (!result.ok)
			return formFailure(result.error.field === 'reference' ? 404 : 400, form, [result.error]);
		return { summary: result.summary, role: parsed.data.role };
	}
};
