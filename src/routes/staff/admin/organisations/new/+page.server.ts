import { redirect } from '@sveltejs/kit';
import type { Actions } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { actorOf } from '$lib/server/auth/principal';
import { createOrganisation } from '$lib/server/admin/admin.service';
import { newOrganisationSchema } from '$lib/server/admin/admin.validation';
import { submitForm } from '$lib/server/http/errors';

export const actions: Actions = {
	create: async ({ request, locals, getClientAddress }) => {
		const admin = requirePrincipal(locals, 'admin');
		return submitForm(await request.formData(), newOrganisationSchema, async (input) => {
			await createOrganisation(db, actorOf(admin, 'admin', getClientAddress()), {
				...input,
				adminPassword: input.password
			});
			redirect(303, '/staff/admin/organisations?done=organisation_created');
		});
	}
};
