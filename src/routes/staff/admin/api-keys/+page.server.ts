import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { actorOf } from '$lib/server/auth/principal';
import { listKeys, revokeApiKeyAudited } from '$lib/server/admin/admin.service';
import { revokeSchema } from '$lib/server/admin/admin.validation';
import { submitForm } from '$lib/server/http/errors';

export const load: PageServerLoad = async ({ locals }) => {
	requirePrincipal(locals, 'admin');
	return { keys: await listKeys(db) };
};

export const actions: Actions = {
	revoke: async ({ request, locals, getClientAddress }) => {
		const admin = requirePrincipal(locals, 'admin');
		return submitForm(await request.formData(), revokeSchema, async ({ id }) => {
			await revokeApiKeyAudited(db, actorOf(admin, 'admin', getClientAddress()), id);
			redirect(303, '/staff/admin/api-keys?done=api_key_revoked');
		});
	}
};
