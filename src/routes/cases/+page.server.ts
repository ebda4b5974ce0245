import type { PageServerLoad } from './$types';
import { requireApplicant } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { listOwnCases } from '$lib/server/cases/case.service';
import { forDocument } from '$lib/server/document';

// A document the applicant reads, also as the copy kept offline: a first load does not hydrate,
// and its one script is static/offline-banner.js (OfflineBanner). The client's router, which does
// not know this option, still renders the page when a hydrated page links to it.
export const csr = false;

export const load: PageServerLoad = async (event) =>
	forDocument(event, {
		cases: await listOwnCases(db, requireApplicant(event.locals)),
		// A copy kept offline shows when it was fetched (OfflineBanner).
		fetchedAt: new Date().toISOString()
	});
