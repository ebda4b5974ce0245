import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';
import { requireApplicant } from '$lib/server/auth/access';
import { loadOrError } from '$lib/server/http/errors';
import { readDocument } from '$lib/server/triage/triage.service';
import { documentResponse } from '$lib/server/triage/triage.upload';

/** A document of the applicant's own request, as a download; anyone else's is 404. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireApplicant(locals);
	const doc = await loadOrError(locals.lang, () =>
		readDocument(db, {
			documentId: params.document,
			caseReference: params.reference,
			reader: { kind: 'applicant', actor: { userId: user.id, role: 'applicant' } }
		})
	);
	return documentResponse(doc);
};
