import type { PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { listAccounts } from '$lib/server/admin/admin.service';

export const load: PageServerLoad = async ({ locals }) => {
	requirePrincipal(locals, 'admin');
	return { accounts: await listAccounts(db) };
};
