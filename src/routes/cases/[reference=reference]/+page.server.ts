import type { PageServerLoad } from './$types';
import { requireApplicant } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { getCaseStatus } from '$lib/server/cases/status.service';
import { loadOrError } from '$lib/server/http/errors';
import { documentOnly } from '$lib/document-only';
import { getCasePlanning, noCasePlanning } from '$lib/server/planning/applicant.service';

// A document the applicant reads, also as the copy kept offline: it does not hydrate. Its one
// script is static/offline-banner.js (OfflineBanner).
export const csr = false;

// Someone else's case is "not found", exactly like a case that does not exist (caseErrors).
export const load: PageServerLoad = async ({ locals, params }) => {
	const user = requireApplicant(locals);
	return loadOrError(locals.lang, async () => {
		const status = await getCaseStatus(db, user, params.reference, new Date(), locals.sessionId);
		// Most cases have no invitation: the status query says so, and saves a second round trip.
		const planning = status.hasLiveInvitation
			? await getCasePlanning(db, user, params.reference)
			: noCasePlanning(status.reference);
		// A copy kept offline shows when it was fetched (OfflineBanner).
		return documentOnly({ status, planning, fetchedAt: new Date().toISOString() });
	});
};
