import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { actorOf } from '$lib/server/auth/principal';
import { listApiKeys } from '$lib/server/api-keys/api-key.service';
import { revokeApiKeyAudited } from '$lib/server/admin/admin.service';
import { revokeSchema } from '$lib/server/admin/admin.validation';
import { submitForm } from '$lib/server/http/errors';

export const load: PageServerLoad = async ({ locals }) => {
	requirePrincipal(locals, 'admin');
	const keys = await listApiKeys(db);
	return {
		keys: keys.map((k) => ({
			id: k.id,
			label: k.label,
			prefix: k.prefix,
			scopes: k.scopes,
			requestsPerMinute: k.requests_per_minute,
			createdAt: k.created_at,
			lastUsedAt: k.last_used_at,
			revokedAt: k.revoked_at
		}))
	};
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
