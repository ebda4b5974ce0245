import { z } from 'zod';

export const WORKSPACE_SORTS = ['deadline', 'submitted', 'stage'] as const;
export type WorkspaceSort = (typeof WORKSPACE_SORTS)[number];

/** Where a page starts: after (or before) the row whose sort key this is. */
const cursor = z
	.string()
	.max(200)
	.transform((text, ctx) => {
		try {
			const key = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
			if (
				Array.isArray(key) &&
				key.length >= 2 &&
				key.length <= 3 &&
				key.every((v) => ['string', 'number', 'boolean'].includes(typeof v))
			)
				return key as (string | number | boolean)[];
		} catch {
			// Falls through to the issue below.
		}
		ctx.addIssue({ code: 'custom', message: 'cursor' });
		return z.NEVER;
	});

const flag = z
	.literal('1')
	.transform(() => true)
	.optional()
	.catch(undefined);

/**
 * The referent's list, from the query string, so that a filtered list can be shared and works
 * without JavaScript. A value that does not parse is dropped, never an error page: it came from
 * an edited or old link.
 */
export const workspaceQuerySchema = z.object({
	q: z.string().trim().max(100).default('').catch(''),
	product: z
		.string()
		.regex(/^[a-z_]{1,40}$/)
		.optional()
		.catch(undefined),
	stage: z
		.string()
		.regex(/^[a-z_]{1,40}$/)
		.optional()
		.catch(undefined),
	/** Waits for the applicant or the sponsor. */
	action: flag,
	/** `soon`: open, with its deadline within 14 days; `passed`: open, past it. */
	deadline: z.enum(['soon', 'passed']).optional().catch(undefined),
	/** Decided in the last 30 days. */
	decided: flag,
	sort: z.enum(WORKSPACE_SORTS).default('deadline').catch('deadline'),
	after: cursor.optional().catch(undefined),
	before: cursor.optional().catch(undefined)
});

export type WorkspaceQuery = z.infer<typeof workspaceQuerySchema>;

export function encodeCursor(key: (string | number | boolean)[]): string {
	return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The query string of a list, in a fixed order; page cursors are added by the caller. */
export function workspaceSearch(
	query: Omit<WorkspaceQuery, 'after' | 'before'>,
	page: { after?: string; before?: string } = {}
): string {
	const params = new URLSearchParams();
	if (query.q) params.set('q', query.q);
	if (query.product) params.set('product', query.product);
	if (query.stage) params.set('stage', query.stage);
	if (query.action) params.set('action', '1');
	if (query.deadline) params.set('deadline', query.deadline);
	if (query.decided) params.set('decided', '1');
	if (query.sort !== 'deadline') params.set('sort', query.sort);
	if (page.after) params.set('after', page.after);
	if (page.before) params.set('before', page.before);
	const search = params.toString();
	return search ? `?${search}` : '';
}
