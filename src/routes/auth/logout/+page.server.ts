import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { deleteSessionCookie, invalidateSession } from '$lib/server/auth/session';
import { recordAudit } from '$lib/server/audit/audit.service';

export const load: PageServerLoad = () => {
	redirect(303, '/');
};

export const actions: Actions = {
	default: async ({ locals, cookies, url, getClientAddress }) => {
		if (locals.sessionId && locals.user) {
			await invalidateSession(db, locals.sessionId);
			await recordAudit(db, { userId: locals.user.id, role: locals.user.kind, ip: getClientAddress() }, { action: 'auth.logout', subject: `user:${locals.user.id}` });
		}
		deleteSessionCookie(cookies, url.protocol === 'https:');
		redirect(303, '/auth/login');
	}
};
