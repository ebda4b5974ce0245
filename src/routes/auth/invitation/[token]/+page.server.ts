import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { acceptInvitation, findInvitation } from '$lib/server/referent/members.service';
import { acceptSchema } from '$lib/server/referent/members.validation';
import { submitForm } from '$lib/server/http/errors';

export const load: PageServerLoad = async ({ params }) => {
	return { invitation: await findInvitation(db, params.token) };
};

export const actions: Actions = {
	default: async ({ request, params, locals, getClientAddress }) =>
		submitForm(
			await request.formData(),
			acceptSchema,
			async ({ name, password }) => {
				await acceptInvitation(
					db,
					params.token,
					{ name, password, lang: locals.lang },
					getClientAddress()
				);
				redirect(303, '/auth/login?invited=done');
			},
			{ secrets: ['password'] }
		)
};
