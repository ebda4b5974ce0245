import { z } from 'zod';
import { emailField } from '$lib/validation/fields';
import { REFERENT_ROLES } from '$lib/roles';

const role = z.enum(REFERENT_ROLES, 'referent:members.errors.role_required');

export const inviteSchema = z.object({
	email: emailField('referent:members'),
	role
});

export const roleSchema = z.object({ role });

/** The invitation to withdraw; a tampered id is reported at the table's caption. */
export const revokeSchema = z.object({ id: z.string().optional() }).transform((input, ctx) => {
	const id = Number(input.id);
	if (Number.isInteger(id) && id > 0 && id < 2 ** 31) return { id };
	ctx.addIssue({
		code: 'custom',
		path: ['invitations-caption'],
		message: 'referent:members.errors.invitation_gone'
	});
	return z.NEVER;
});

export const acceptSchema = z.object({
	name: z
		.string()
		.trim()
		.min(1, 'referent:invitation.errors.name_required')
		.max(200, 'referent:invitation.errors.name_long'),
	password: z.string().min(1, 'referent:invitation.errors.password_required')
});

/** A member's id from the URL: digits only, else the page is a 404. */
export function memberId(param: string): number | null {
	return /^\d{1,9}$/.test(param) ? Number(param) : null;
}
