import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { deleteSessionCookie } from '$lib/server/auth/session';
import { logout } from '$lib/server/auth/login.service';

export const load: PageServerLoad = () => {
	redirect(303, '/');
};

export const actions: Actions = {
	default: async ({ locals, cookies, url, getClientAddress, setHeaders }) => {
		if (locals.sessionId && locals.user) {
			await logout(db, locals.sessionId, {
				userId: locals.user.id,
				role: locals.user.kind,
				ip: getClientAddress()
			});
		}
		deleteSessionCookie(cookies, url.protocol === 'https:');
		// The browser's own cache; the service worker deletes its kept case pages on this request.
		setHeaders({ 'Clear-Site-Data': '"cache"' });
		redirect(303, '/auth/login');
	}
};
