import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { actorOf } from '$lib/server/auth/principal';
import { translator } from '$lib/i18n';
import {
	AdminError,
	listStaff,
	resetSecondFactor,
	setAccountDisabled,
	setStaffRoles
} from '$lib/server/admin/admin.service';
import { parseRoleChoice } from '$lib/server/admin/admin.validation';
import { formFailure } from '$lib/validation/form';

function idOf(param: string): number | null {
	return /^\d{1,9}$/.test(param) ? Number(param) : null;
}

export const load: PageServerLoad = async ({ params, locals }) => {
	const admin = requirePrincipal(locals, 'admin');
	const id = idOf(params.id);
	const member = id === null ? undefined : (await listStaff(db)).find((u) => u.id === id);
	if (!member) error(404, translator(locals.lang)('admin:errors.not_found'));
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
		const admin = requirePrincipal(locals, 'admin');
		const id = idOf(params.id);
		if (id === null) error(404, translator(locals.lang)('admin:errors.not_found'));
		const form = await request.formData();
		const choice = parseRoleChoice(form, { requireOne: false });
		// An administrator cannot lock themselves (and maybe everyone) out of this page.
		if (id === admin.id && !choice.roles.includes('admin'))
			choice.errors.unshift({ field: 'roles', key: 'admin:errors.own_admin' });
		if (choice.errors.length) return formFailure(400, form, choice.errors);
		try {
			await setStaffRoles(
				db,
				actorOf(admin, 'admin', getClientAddress()),
				id,
				choice.roles,
				choice.desk
			);
		} catch (err) {
			if (!(err instanceof AdminError)) throw err;
			if (err.code === 'not_found') error(404, translator(locals.lang)('admin:errors.not_found'));
			return formFailure(400, form, [{ field: err.field, key: `admin:errors.${err.code}` }]);
		}
		redirect(303, '/staff/admin/users?done=roles_changed');
	},
	disable: ({ params, locals, getClientAddress }) =>
		setDisabled(params.id, locals, getClientAddress(), true),
	enable: ({ params, locals, getClientAddress }) =>
		setDisabled(params.id, locals, getClientAddress(), false),
	resetTotp: async ({ params, request, locals, getClientAddress }) => {
		const admin = requirePrincipal(locals, 'admin');
		const id = idOf(params.id);
		if (id === null) error(404, translator(locals.lang)('admin:errors.not_found'));
		const form = await request.formData();
		const reason = String(form.get('reason') ?? '');
		if (!reason.trim())
			return formFailure(400, form, [{ field: 'reason', key: 'admin:errors.reason_required' }]);
		if (reason.length > 500)
			return formFailure(400, form, [{ field: 'reason', key: 'admin:errors.reason_long' }]);
		try {
			await resetSecondFactor(db, actorOf(admin, 'admin', getClientAddress()), id, reason);
		} catch (err) {
			if (!(err instanceof AdminError)) throw err;
			if (err.code === 'not_found') error(404, translator(locals.lang)('admin:errors.not_found'));
			return formFailure(400, form, [{ field: err.field, key: `admin:errors.${err.code}` }]);
		}
		redirect(303, '/staff/admin/users?done=second_factor_reset');
	}
};

async function setDisabled(param: string, locals: App.Locals, ip: string, disabled: boolean) {
	const admin = requirePrincipal(locals, 'admin');
	const id = idOf(param);
	if (id === null) error(404, translator(locals.lang)('admin:errors.not_found'));
	try {
		await setAccountDisabled(db, actorOf(admin, 'admin', ip), id, disabled);
	} catch (err) {
		if (!(err instanceof AdminError)) throw err;
		if (err.code === 'not_found') error(404, translator(locals.lang)('admin:errors.not_found'));
		return fail(400, {
			values: {},
			errors: [{ field: 'status', key: `admin:errors.${err.code}` }]
		});
	}
	redirect(303, `/staff/admin/users?done=${disabled ? 'account_disabled' : 'account_enabled'}`);
}
