import { z } from 'zod';
import { emailField } from '$lib/validation/fields';

const email = emailField('auth');

export const loginSchema = z.object({
	email,
	password: z
		.string()
		.min(1, 'auth:errors.password_required')
		.max(256, 'auth:errors.password_required')
});

export const activationSchema = z.object({
	vNumber: z
		.string()
		.trim()
		.regex(/^\d{10}$/, 'auth:errors.v_number_invalid'),
	birthDate: z
		.string()
		.trim()
		.regex(/^\d{4}-\d{2}-\d{2}$/, 'auth:errors.birth_date_invalid')
		.pipe(z.iso.date('auth:errors.birth_date_invalid')),
	code: z
		.string()
		.trim()
		.min(1, 'auth:errors.code_required')
		.max(40, 'auth:errors.activation_failed'),
	email,
	password: z.string().min(1, 'auth:errors.password_required')
});

export const resetRequestSchema = z.object({ email });

export const resetSchema = z.object({
	password: z.string().min(1, 'auth:errors.password_required')
});
