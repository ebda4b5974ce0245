import type { PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { listOrganisations, listStaff } from '$lib/server/admin/admin.service';
import { listApiKeys } from '$lib/server/api-keys/api-key.service';
import { findOutbox } from '$lib/server/notify/email.service';

export const load: PageServerLoad = async ({ locals }) => {
	requirePrincipal(locals, 'admin');
	const [staff, organisations, keys, outbox] = await Promise.all([
		listStaff(db),
		listOrganisations(db),
		listApiKeys(db),
		findOutbox(db, 50)
	]);
	return {
		counts: {
			staff: staff.filter((u) => u.kind === 'staff').length,
			referents: staff.filter((u) => u.kind === 'referent').length,
			organisations: organisations.length,
			activeKeys: keys.filter((k) => !k.revoked_at).length,
			unsent: outbox.filter((m) => m.status === 'pending' || m.status === 'failed').length
		},
		smtp: !!process.env.SMTP_URL
	};
};
