import { z } from 'zod';

/** A 6-digit code from the app, or a recovery code (letters and digits, dashes and spaces allowed). */
export const secondFactorSchema = z.object({
	code: z.string().trim().min(1, 'auth:errors.code_missing').max(40, 'auth:errors.bad_code')
});

const appCode = z
	.string()
	.trim()
	.min(1, 'auth:errors.code_missing')
	.regex(/^\d{3}\s?\d{3}$/, 'auth:errors.totp_format');

export const enrolSchema = z.object({ code: appCode });

/** New recovery codes take a code from the app, in a field of its own beside the other forms of the page. */
export const renewSchema = z.object({ renew_code: appCode });
