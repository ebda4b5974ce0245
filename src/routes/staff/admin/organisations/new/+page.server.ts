import { redirect } from '@sveltejs/kit';
import type { Actions } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { actorOf } from '$lib/server/auth/principal';
import { AdminError, createOrganisation } from '$lib/server/admin/admin.service';
import { newOrganisationSchema } from '$lib/server/admin/admin.validation';
import { formFailure, parseForm } from '$lib/validation/form';

// The service names the administrator's fields as on an account; this form prefixes them.
const FIELDS: Record<string, string> = { email: 'adminEmail', password: 'password', kvk: 'kvk' };

export const actions: Actions = {
	create: async ({ request, locals, getClientAddress }) => {
		const admin = requirePrincipal(locals, 'admin');
		const form = await request.formData();
		const parsed = parseForm(newOrganisationSchema, form);
		if (!parsed.ok) return formFailure(400, form, parsed.errors);
		try {
			await createOrganisation(db, actorOf(admin, 'admin', getClientAddress()), {
				kvk: parsed.data.kvk,
				name: parsed.data.name,
				adminEmail: parsed.data.adminEmail,
				adminName: parsed.data.adminName,
				adminPassword: parsed.data.password
			});
		} catch (error) {
			if (!(error instanceof AdminError)) throw error;
			return formFailure(400, form, [
				{ field: FIELDS[error.field] ?? error.field, key: `admin:errors.${error.code}` }
			]);
		}
		redirect(303, '/staff/admin/organisations?done=organisation_created');
	}
};
