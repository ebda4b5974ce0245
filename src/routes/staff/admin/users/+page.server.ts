import type { PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { listStaff } from '$lib/server/admin/admin.service';

export const load: PageServerLoad = async ({ locals }) => {
	requirePrincipal(locals, 'admin');
	const accounts = await listStaff(db);
	return {
		accounts: accounts.map((a) => ({
			id: a.id,
			email: a.email,
			name: a.display_name,
			kind: a.kind,
			disabled: a.disabled_at !== null,
			roles: a.roles.map((r) => ({ role: r.role, desk: r.desk, organisation: r.organisation }))
		}))
	};
};
