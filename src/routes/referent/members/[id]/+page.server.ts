import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { getMember, removeMember, setMemberRole } from '$lib/server/referent/members.service';
import { memberErrors } from '$lib/server/referent/members.errors';
import { memberId, roleSchema } from '$lib/server/referent/members.validation';
import { loadOrError, pageError, submitForm } from '$lib/server/http/errors';
import { z } from 'zod';

/** The colleague the page is about, and the administrator acting; a malformed id is a 404 page. */
function subject(param: string, locals: App.Locals) {
	const admin = requirePrincipal(locals, 'referent_admin');
	const id = memberId(param);
	if (id === null) pageError(memberErrors.error('not_found'), locals.lang);
	return { admin, id };
}

export const load: PageServerLoad = async ({ params, locals }) => {
	const { admin, id } = subject(params.id, locals);
	return { member: await loadOrError(locals.lang, () => getMember(db, admin, id)) };
};

export const actions: Actions = {
	role: async ({ params, request, locals, getClientAddress }) => {
		const { admin, id } = subject(params.id, locals);
		return submitForm(await request.formData(), roleSchema, async ({ role }) => {
			await setMemberRole(db, admin, id, role, getClientAddress());
			redirect(303, '/referent/members?done=role_changed');
		});
	},
	remove: async ({ params, request, locals, getClientAddress }) => {
		const { admin, id } = subject(params.id, locals);
		return submitForm(await request.formData(), z.object({}), async () => {
			await removeMember(db, admin, id, getClientAddress());
			redirect(303, '/referent/members?done=member_removed');
		});
	}
};
