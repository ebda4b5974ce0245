import type { PageServerLoad } from './$types';
import { requireApplicant } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { getCaseStatus } from '$lib/server/cases/status.service';
import { loadOrError } from '$lib/server/http/errors';
import { getCasePlanning, noCasePlanning } from '$lib/server/planning/applicant.service';
import { forDocument } from '$lib/server/document';

// A document the applicant reads, also as the copy kept offline: a first load does not hydrate,
// and its one script is static/offline-banner.js (OfflineBanner). The client's router, which does
// not know this option, still renders the page when a hydrated page links to it.
export const csr = false;

// Someone else's case is "not found", exactly like a case that does not exist (caseErrors).
export const load: PageServerLoad = async (event) => {
	const { locals, params } = event;
	const user = requireApplicant(locals);
	return loadOrError(locals.lang, async () => {
		const status = await getCaseStatus(db, user, params.reference, new Date(), locals.sessionId);
		// Most cases have no invitation: the status query says so, and saves a second round trip.
		const planning = status.hasLiveInvitation
			? await getCasePlanning(db, user, params.reference)
			: noCasePlanning(status.reference);
		// A copy kept offline shows when it was fetched (OfflineBanner).
		return forDocument(event, { status, planning, fetchedAt: new Date().toISOString() });
	});
};
