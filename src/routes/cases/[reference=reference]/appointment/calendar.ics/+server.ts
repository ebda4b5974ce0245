import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';
import { requireApplicant } from '$lib/server/auth/access';
import { loadOrError } from '$lib/server/http/errors';
import { appointmentCalendarFile } from '$lib/server/planning/applicant.service';

/** The case's active appointment as a calendar file, in the reader's language. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireApplicant(locals);
	const file = await loadOrError(locals.lang, () =>
		appointmentCalendarFile(db, user, params.reference, locals.lang)
	);
	return new Response(file.body, {
		headers: {
			'Content-Type': 'text/calendar; charset=utf-8',
			'Content-Disposition': `attachment; filename="${file.filename}"`,
			'Cache-Control': 'private, no-store'
		}
	});
};
