import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { requireApplicant } from '$lib/server/auth/access';
import { loadOrError } from '$lib/server/http/errors';
import { getPriorityRequestPage } from '$lib/server/triage/triage.service';

/** The receipt of the sent request: its reference, what happens next and the target date. */
export const load: PageServerLoad = async ({ locals, params }) => {
	const user = requireApplicant(locals);
	const page = await loadOrError(locals.lang, () =>
		getPriorityRequestPage(db, { reference: params.reference, userId: user.id })
	);
	if (page.open?.status !== 'sent') redirect(303, `/cases/${params.reference}/priority-request`);
	return { page, request: page.open };
};
