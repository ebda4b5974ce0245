import { redirect } from '@sveltejs/kit';
import type { Actions } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { actorOf } from '$lib/server/auth/principal';
import { createStaffAccount } from '$lib/server/admin/admin.service';
import { newStaffSchema, parseRoleChoice } from '$lib/server/admin/admin.validation';
import { submitForm } from '$lib/server/http/errors';

const FIELD_ORDER = ['email', 'displayName', 'password', 'roles', 'desk'];

export const actions: Actions = {
	create: async ({ request, locals, getClientAddress }) => {
		const admin = requirePrincipal(locals, 'admin');
		const form = await request.formData();
		const choice = parseRoleChoice(form, { requireOne: true });
		return submitForm(
			form,
			newStaffSchema,
			async (input) => {
				await createStaffAccount(db, actorOf(admin, 'admin', getClientAddress()), {
					...input,
					roles: choice.roles,
					desk: choice.desk
				});
				redirect(303, '/staff/admin/users?done=staff_created');
			},
			{ also: choice.errors, fieldOrder: FIELD_ORDER }
		);
	}
};
