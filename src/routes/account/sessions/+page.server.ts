import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { listSessions, deleteSessionCookie } from '$lib/server/auth/session';
import { endAllSessions } from '$lib/server/auth/login.service';

export const load: PageServerLoad = async ({ locals }) => {
	const user = requirePrincipal(locals);
	const sessions = await listSessions(db, user.id);
	return {
		applicant: user.kind === 'applicant',
		sessions: sessions.map((s) => ({
			current: s.id === locals.sessionId,
			createdAt: s.created_at.toISOString(),
			lastSeenAt: s.last_seen_at.toISOString(),
			userAgent: s.user_agent
		}))
	};
};

export const actions: Actions = {
	endAll: async ({ locals, cookies, url, getClientAddress }) => {
		const user = requirePrincipal(locals);
		await endAllSessions(db, user.id, { userId: user.id, role: user.kind, ip: getClientAddress() });
		deleteSessionCookie(cookies, url.protocol === 'https:');
		redirect(303, '/auth/login');
	}
};
