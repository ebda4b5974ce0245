import type { RequestHandler } from './$types';
import { db } from '$lib/server/db';
import { loadOrError } from '$lib/server/http/errors';
import { readDocument } from '$lib/server/triage/triage.service';
import { documentResponse } from '$lib/server/triage/triage.upload';
import { officer } from '../../../officer';

/**
 * A document of a sent request, for a triage officer; the reading is audited. With `?inline`, an
 * image is sent inline for the request's page; a PDF stays an attachment.
 */
export const GET: RequestHandler = async ({ locals, params, url, getClientAddress }) => {
	const actor = officer(locals, getClientAddress());
	const doc = await loadOrError(locals.lang, () =>
		readDocument(db, {
			documentId: params.document,
			requestId: Number(params.id),
			reader: { kind: 'officer', actor }
		})
	);
	return documentResponse(doc, { inline: url.searchParams.has('inline') });
};
