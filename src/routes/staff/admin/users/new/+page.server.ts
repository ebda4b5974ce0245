import { redirect } from '@sveltejs/kit';
import type { Actions } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { actorOf } from '$lib/server/auth/principal';
import { AdminError, createStaffAccount } from '$lib/server/admin/admin.service';
import { newStaffSchema, parseRoleChoice } from '$lib/server/admin/admin.validation';
import { formFailure, parseForm, type FieldError } from '$lib/validation/form';

const FIELD_ORDER = ['email', 'displayName', 'password', 'roles', 'desk'];
const byField = (a: FieldError, b: FieldError) =>
	FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field);

export const actions: Actions = {
	create: async ({ request, locals, getClientAddress }) => {
		const admin = requirePrincipal(locals, 'admin');
		const form = await request.formData();
		const parsed = parseForm(newStaffSchema, form);
		const choice = parseRoleChoice(form, { requireOne: true });
		const errors = [...(parsed.ok ? [] : parsed.errors), ...choice.errors].sort(byField);
		if (!parsed.ok || errors.length) return formFailure(400, form, errors);
		try {
			await createStaffAccount(db, actorOf(admin, 'admin', getClientAddress()), {
				email: parsed.data.email,
				displayName: parsed.data.displayName,
				password: parsed.data.password,
				roles: choice.roles,
				desk: choice.desk
			});
		} catch (error) {
			if (!(error instanceof AdminError)) throw error;
			return formFailure(400, form, [{ field: error.field, key: `admin:errors.${error.code}` }]);
		}
		redirect(303, '/staff/admin/users?done=staff_created');
	}
};
