import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireApplicant } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { CaseAccessDenied } from '$lib/server/cases/case.service';
import { getCaseStatus } from '$lib/server/cases/status.service';
import { translator } from '$lib/i18n';

export const load: PageServerLoad = async ({ locals, params }) => {
	const user = requireApplicant(locals);
	try {
		return { status: await getCaseStatus(db, user, params.reference) };
	} catch (e) {
		// Someone else's case is "not found", exactly like a case that does not exist.
		if (e instanceof CaseAccessDenied) error(404, translator(locals.lang)('errors.not_found'));
		throw e;
	}
};
