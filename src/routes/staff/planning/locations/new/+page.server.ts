import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { createLocation } from '$lib/server/planning/capacity.service';
import { locationSchema } from '$lib/server/planning/planning.validation';
import { submitForm } from '$lib/server/http/errors';
import { planner } from '../../planner';

export const load: PageServerLoad = ({ locals, getClientAddress }) => {
	planner(locals, getClientAddress());
	return {};
};

export const actions: Actions = {
	create: async ({ request, locals, getClientAddress }) => {
		const actor = planner(locals, getClientAddress());
		return submitForm(await request.formData(), locationSchema, async (input) => {
			const { id } = await createLocation(db, input, actor);
			redirect(303, `/staff/planning/locations/${id}?done=location_created`);
		});
	}
};
