import { z } from 'zod';
import { emailField } from '$lib/validation/fields';
import { STAFF_ROLES } from '$lib/roles';
import type { FieldError } from '$lib/validation/form';

/** The staff roles an administrator may grant, in the order the forms show them. */
export const GRANTABLE_ROLES = STAFF_ROLES;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

const email = emailField('admin');
const name = z
	.string()
	.trim()
	.min(1, 'admin:errors.name_required')
	.max(200, 'admin:errors.name_long');
const password = z
	.string()
	.min(1, 'admin:errors.password_required')
	.min(12, 'admin:errors.too_short')
	.max(256, 'admin:errors.too_long');

export const newStaffSchema = z.object({ email, displayName: name, password });

export const newOrganisationSchema = z.object({
	kvk: z
		.string()
		.trim()
		.min(1, 'admin:errors.kvk_required')
		.regex(/^\d{8}$/, 'admin:errors.kvk_format'),
	name: z
		.string()
		.trim()
		.min(1, 'admin:errors.organisation_name_required')
		.max(200, 'admin:errors.name_long'),
	adminEmail: email,
	adminName: name,
	password
});

/** The key to revoke; a tampered id is reported at the table's caption, where the summary links. */
export const revokeSchema = z.object({ id: z.string().optional() }).transform((input, ctx) => {
	const id = Number(input.id);
	if (Number.isInteger(id) && id > 0 && id < 2 ** 31) return { id };
	ctx.addIssue({ code: 'custom', path: ['keys-caption'], message: 'admin:errors.not_found' });
	return z.NEVER;
});

/** Disabling, enabling and the role checkboxes (read by parseRoleChoice) have no other fields. */
export const noFieldsSchema = z.object({});

export const resetSecondFactorSchema = z.object({
	reason: z
		.string()
		.trim()
		.min(1, 'admin:errors.reason_required')
		.max(500, 'admin:errors.reason_long')
});

export interface RoleChoice {
	roles: GrantableRole[];
	/** Only kept when the counter role is chosen. */
	desk: string | null;
	errors: FieldError[];
}

/**
 * The role checkboxes (one field per role, `role_counter=on` …) and the desk. Checked apart from
 * the other fields so that a person sees every problem at once.
 */
export function parseRoleChoice(form: FormData, options: { requireOne: boolean }): RoleChoice {
	const roles = GRANTABLE_ROLES.filter((r) => form.get(`role_${r}`) === 'on');
	const desk = String(form.get('desk') ?? '').trim();
	const errors: FieldError[] = [];
	if (options.requireOne && roles.length === 0)
		errors.push({ field: 'roles', key: 'admin:errors.roles_required' });
	if (roles.includes('counter') && !desk)
		errors.push({ field: 'desk', key: 'admin:errors.desk_required' });
	else if (desk.length > 100) errors.push({ field: 'desk', key: 'admin:errors.desk_long' });
	return { roles, desk: roles.includes('counter') ? desk : null, errors };
}

/** The organisation and whether it is now recognised; a tampered id is reported at the table. */
export const recognitionSchema = z
	.object({ id: z.string().optional(), recognised: z.enum(['yes', 'no']).optional() })
	.transform((input, ctx) => {
		const id = Number(input.id);
		if (Number.isInteger(id) && id > 0 && id < 2 ** 31 && input.recognised)
			return { id, recognised: input.recognised === 'yes' };
		ctx.addIssue({
			code: 'custom',
			path: ['organisations-caption'],
			message: 'admin:errors.organisation_not_found'
		});
		return z.NEVER;
	});
