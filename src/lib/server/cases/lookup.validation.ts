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

/** The referent's list: search, status filter and page, from the query string; bad values fall back. */
export const sponsoredQuerySchema = z.object({
	q: z.string().trim().max(100).default('').catch(''),
	status: z.enum(['open', 'decided', 'withdrawn']).optional().catch(undefined),
	page: z.coerce.number().int().min(1).max(1_000_000).catch(1)
});

export type SponsoredQuery = z.infer<typeof sponsoredQuerySchema>;
