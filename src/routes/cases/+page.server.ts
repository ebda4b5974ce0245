import type { PageServerLoad } from './$types';
import { requireApplicant } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { listOwnCases } from '$lib/server/cases/case.service';
import { documentOnly } from '$lib/document-only';

// A document the applicant reads, also as the copy kept offline: it does not hydrate. Its one
// script is static/offline-banner.js (OfflineBanner).
export const csr = false;

export const load: PageServerLoad = async ({ locals }) =>
	documentOnly({
		cases: await listOwnCases(db, requireApplicant(locals)),
		// A copy kept offline shows when it was fetched (OfflineBanner).
		fetchedAt: new Date().toISOString()
	});
