import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { actorOf } from '$lib/server/auth/principal';
import { listApiKeys } from '$lib/server/api-keys/api-key.service';
import { revokeApiKeyAudited } from '$lib/server/admin/admin.service';
import { revokeSchema } from '$lib/server/admin/admin.validation';
import { parseForm } from '$lib/validation/form';

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
		const form = await request.formData();
		const parsed = parseForm(revokeSchema, form);
		if (!parsed.ok)
			return fail(400, { errors: [{ field: 'keys-caption', key: 'admin:errors.not_found' }] });
		const revoked = await revokeApiKeyAudited(
			db,
			actorOf(admin, 'admin', getClientAddress()),
			parsed.data.id
		);
		// Already revoked (by another administrator, in another tab) or gone: the list shows the state now.
		if (!revoked)
			return fail(409, {
				errors: [
					{
						field: 'keys-caption',
						key: 'admin:errors.already_revoked',
						params: { id: parsed.data.id }
					}
				]
			});
		redirect(303, '/staff/admin/api-keys?done=api_key_revoked');
	}
};
