import { z } from 'zod';
import { REFERENCE_PATTERN } from '$lib/reference';
import { OFFICE_ROLES } from '$lib/roles';

const reference = z
	.string()
	.trim()
	.toUpperCase()
	.min(1, 'staff:lookup.errors.reference_required')
	.regex(REFERENCE_PATTERN, 'staff:lookup.errors.reference_format');

// The service asks for at least 3 characters; a reason is recorded in the audit log, at most 500.
const reason = z
	.string()
	.trim()
	.min(1, 'staff:lookup.errors.reason_required')
	.min(3, 'staff:lookup.errors.reason_short')
	.max(500, 'staff:lookup.errors.reason_long');

/** A counter employee's look-up: which case, and why. */
export const lookupSchema = z.object({ reference, reason });

/** A back-office look-up, in one of the roles the officer holds. */
export const officeLookupSchema = lookupSchema.extend({
	role: z.enum(OFFICE_ROLES, 'staff:lookup.errors.role_required')
});
