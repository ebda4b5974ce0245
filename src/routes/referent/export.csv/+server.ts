import type { RequestHandler } from './$types';
import { REFERENT_ROLES } from '$lib/access';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { dutchDate } from '$lib/time';
import { translator } from '$lib/i18n';
import { workspaceQuerySchema } from '$lib/server/referent/workspace.validation';
import { exportWorkspace } from '$lib/server/referent/workspace.service';
import { workspaceCsv } from '$lib/server/referent/workspace.export';

/** The filtered list as CSV: every row, streamed a batch at a time, in the list's order. */
export const GET: RequestHandler = async ({ locals, url, getClientAddress }) => {
	const user = requirePrincipal(locals, ...REFERENT_ROLES);
	const query = workspaceQuerySchema.parse(Object.fromEntries(url.searchParams));
	const batches = exportWorkspace(db, user, query, getClientAddress());
	// The first batch is read before answering: a database that is down gets the error page, not
	// a download that breaks off.
	const first = await batches.next();
	const t = translator(locals.lang);
	const encoder = new TextEncoder();
	let header = true;
	const csv = (rows: Parameters<typeof workspaceCsv>[0]) => {
		const text = workspaceCsv(rows, t, header);
		header = false;
		return encoder.encode(text);
	};
	const body = new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(csv(first.done ? [] : first.value));
			if (first.done) controller.close();
		},
		async pull(controller) {
			const next = await batches.next();
			if (next.done) controller.close();
			else controller.enqueue(csv(next.value));
		},
		async cancel() {
			await batches.return(undefined);
		}
	});
	return new Response(body, {
		headers: {
			'Content-Type': 'text/csv; charset=utf-8',
			'Content-Disposition': `attachment; filename="aanvragen-${dutchDate(new Date())}.csv"`,
			'Cache-Control': 'private, no-store'
		}
	});
};
