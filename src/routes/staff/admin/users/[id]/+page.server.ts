import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { actorOf } from '$lib/server/auth/principal';
import {
	findStaffMember,
	resetSecondFactor,
	setAccountDisabled,
	setStaffRoles
} from '$lib/server/admin/admin.service';
import { adminErrors } from '$lib/server/admin/admin.errors';
import {
	noFieldsSchema,
	parseRoleChoice,
	resetSecondFactorSchema
} from '$lib/server/admin/admin.validation';
import { pageError, submitForm } from '$lib/server/http/errors';

/** The account the page is about, and the administrator acting on it; a malformed id is a 404 page. */
function subject(param: string, locals: App.Locals, ip: string) {
	const admin = requirePrincipal(locals, 'admin');
	if (!/^\d{1,9}$/.test(param)) pageError(adminErrors.error('not_found'), locals.lang);
	return { admin, id: Number(param), actor: actorOf(admin, 'admin', ip) };
}

export const load: PageServerLoad = async ({ params, locals, getClientAddress }) => {
	const { admin, id } = subject(params.id, locals, getClientAddress());
	const member = await findStaffMember(db, id).catch((e) => pageError(e, locals.lang));
	return {
		member: {
			id: member.id,
			email: member.email,
			name: member.display_name,
			self: member.id === admin.id,
			staff: member.kind === 'staff',
			disabled: member.disabled_at !== null,
			hasTotp: !!member.has_totp,
			roles: member.roles.map((r) => r.role),
			desk: member.roles.find((r) => r.role === 'counter')?.desk ?? ''
		}
	};
};

export const actions: Actions = {
	roles: async ({ params, request, locals, getClientAddress }) => {
		const { admin, id, actor } = subject(params.id, locals, getClientAddress());
		const form = await request.formData();
		const choice = parseRoleChoice(form, { requireOne: false });
		// An administrator cannot lock themselves (and maybe everyone) out of this page.
		if (id === admin.id && !choice.roles.includes('admin'))
			choice.errors.unshift({ field: 'roles', key: 'admin:errors.own_admin' });
		return submitForm(
			form,
			noFieldsSchema,
			async () => {
				await setStaffRoles(db, actor, id, choice.roles, choice.desk);
				redirect(303, '/staff/admin/users?done=roles_changed');
			},
			{ also: choice.errors }
		);
	},
	disable: ({ params, request, locals, getClientAddress }) =>
		setDisabled(subject(params.id, locals, getClientAddress()), request, true),
	enable: ({ params, request, locals, getClientAddress }) =>
		setDisabled(subject(params.id, locals, getClientAddress()), request, false),
	resetTotp: async ({ params, request, locals, getClientAddress }) => {
		const { id, actor } = subject(params.id, locals, getClientAddress());
		return submitForm(await request.formData(), resetSecondFactorSchema, async ({ reason }) => {
			await resetSecondFactor(db, actor, id, reason);
			redirect(303, '/staff/admin/users?done=second_factor_reset');
		});
	}
};

async function setDisabled(
	{ id, actor }: ReturnType<typeof subject>,
	request: Request,
	disabled: boolean
) {
	return submitForm(await request.formData(), noFieldsSchema, async () => {
		await setAccountDisabled(db, actor, id, disabled);
		redirect(303, `/staff/admin/users?done=${disabled ? 'account_disabled' : 'account_enabled'}`);
	});
}
