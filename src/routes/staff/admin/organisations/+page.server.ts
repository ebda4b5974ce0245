import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { actorOf } from '$lib/server/auth/principal';
import { listOrganisations, setOrganisationRecognised } from '$lib/server/admin/admin.service';
import { recognitionSchema } from '$lib/server/admin/admin.validation';
import { submitForm } from '$lib/server/http/errors';

export const load: PageServerLoad = async ({ locals }) => {
	requirePrincipal(locals, 'admin');
	return { organisations: await listOrganisations(db) };
};

export const actions: Actions = {
	recognition: async ({ request, locals, getClientAddress }) => {
		const admin = requirePrincipal(locals, 'admin');
		return submitForm(await request.formData(), recognitionSchema, async ({ id, recognised }) => {
			await setOrganisationRecognised(
				db,
				actorOf(admin, 'admin', getClientAddress()),
				id,
				recognised
			);
			redirect(303, '/staff/admin/organisations?done=recognition_changed');
		});
	}
};
