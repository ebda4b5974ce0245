import { z } from 'zod';

/** A 6-digit code from the app, or a recovery code (letters and digits, dashes and spaces allowed). */
export const secondFactorSchema = z.object({
	code: z.string().trim().min(1, 'auth:errors.code_missing').max(40, 'auth:errors.bad_code')
});

export const enrolSchema = z.object({
	code: z.string().trim().min(1, 'auth:errors.code_missing').regex(/^\d{3}\s?\d{3}$/, 'auth:errors.totp_format')
});
