import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { nudgeEmail } from '$lib/server/app';
import { publicOrigin } from '$lib/server/auth/origin';
import {
	INVITATION_DAYS,
	getMembers,
	inviteMember,
	revokeInvitation
} from '$lib/server/referent/members.service';
import { inviteSchema, revokeSchema } from '$lib/server/referent/members.validation';
import { loadOrError, submitForm } from '$lib/server/http/errors';

export const load: PageServerLoad = async ({ locals }) => {
	const admin = requirePrincipal(locals, 'referent_admin');
	const view = await loadOrError(locals.lang, () => getMembers(db, admin));
	return { ...view, invitationDays: INVITATION_DAYS };
};

export const actions: Actions = {
	invite: async ({ request, locals, url, getClientAddress }) => {
		const admin = requirePrincipal(locals, 'referent_admin');
		return submitForm(await request.formData(), inviteSchema, async (input) => {
			const invited = await inviteMember(db, admin, input, {
				origin: publicOrigin(url),
				lang: locals.lang,
				ip: getClientAddress(),
				smtp: Boolean(process.env.SMTP_URL)
			});
			await nudgeEmail();
			return { invited };
		});
	},
	revoke: async ({ request, locals, getClientAddress }) => {
		const admin = requirePrincipal(locals, 'referent_admin');
		return submitForm(await request.formData(), revokeSchema, async ({ id }) => {
			await revokeInvitation(db, admin, id, getClientAddress());
			redirect(303, '/referent/members?done=invitation_revoked');
		});
	}
};
