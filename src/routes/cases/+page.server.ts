import type { PageServerLoad } from './$types';
import { requireApplicant } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { listOwnCases } from '$lib/server/cases/case.service';

export const load: PageServerLoad = async ({ locals }) => ({
	cases: await listOwnCases(db, requireApplicant(locals)),
	// A copy kept offline shows when it was fetched (OfflineBanner).
	fetchedAt: new Date().toISOString()
});
