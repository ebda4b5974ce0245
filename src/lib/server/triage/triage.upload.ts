import {
	FormDataParseError,
	MaxFileSizeExceededError,
	MaxFilesExceededError,
	MaxHeaderSizeExceededError,
	MaxPartsExceededError,
	MaxTotalSizeExceededError,
	parseFormData
} from '@remix-run/form-data-parser';
import { TRIAGE_INLINE_TYPES, TRIAGE_LIMITS } from '$lib/triage';
import { triageErrors } from './triage.errors';
import type { Db } from '$lib/server/db';
import { addDocuments, type TriageActor, type UploadedFile } from './triage.service';

/** Twice the documents a request holds: more are not an honest mistake, and are cut off. */
const MAX_FILES = 2 * TRIAGE_LIMITS.maxDocuments;
/** The files and the form's other fields: a few answers, hidden fields and buttons. */
const MAX_PARTS = MAX_FILES + 20;
/** Five files of 10 MB, and room for the multipart framing and the small fields. */
export const MAX_UPLOAD_BYTES =
	TRIAGE_LIMITS.maxDocuments * TRIAGE_LIMITS.maxDocumentBytes + 1024 * 1024;

export interface ParsedUpload {
	fields: FormData;
	files: UploadedFile[];
}

/**
 * Reads a multipart upload as a stream, never the whole body into memory first, within a bounded
 * total and number of parts, so that a huge body stops the reading at once. A file over 10 MB or
 * a sixth file is read within that total and refused by `prepareDocuments`, so that the form's
 * other answers come back with the message instead of being lost. Any refusal here, and a
 * connection broken mid-upload, throws before anything is stored.
 */
export async function parseUpload(request: Request, field = 'documents'): Promise<ParsedUpload> {
	const declared = Number(request.headers.get('content-length') ?? NaN);
	if (Number.isFinite(declared) && declared > MAX_UPLOAD_BYTES)
		throw triageErrors.error('upload_too_large');
	const type = request.headers.get('content-type') ?? '';
	if (!type.startsWith('multipart/form-data')) throw triageErrors.error('upload_broken');
	const files: UploadedFile[] = [];
	let fields: FormData;
	try {
		fields = await parseFormData(
			request,
			{
				maxFiles: MAX_FILES,
				maxFileSize: MAX_UPLOAD_BYTES,
				maxParts: MAX_PARTS,
				maxTotalSize: MAX_UPLOAD_BYTES,
				maxHeaderSize: 8 * 1024
			},
			async (upload) => {
				const bytes = new Uint8Array(await upload.arrayBuffer());
				// A file input left empty sends a part without a name and without content.
				if (upload.fieldName !== field || (bytes.byteLength === 0 && upload.name === '')) return;
				files.push({ name: upload.name, bytes });
			}
		);
	} catch (e) {
		throw uploadRefusal(e);
	}
	return { fields, files };
}

function uploadRefusal(e: unknown) {
	if (e instanceof MaxFilesExceededError) return triageErrors.error('too_many_documents');
	if (e instanceof MaxFileSizeExceededError) return triageErrors.error('document_too_large');
	if (
		e instanceof MaxTotalSizeExceededError ||
		e instanceof MaxPartsExceededError ||
		e instanceof MaxHeaderSizeExceededError
	)
		return triageErrors.error('upload_too_large');
	// Malformed multipart (FormDataParseError), or the body stream failed: the connection broke
	// or the client stopped sending. Parsing does nothing else that could fail.
	return triageErrors.error('upload_broken', {
		detail: e instanceof FormDataParseError ? 'malformed multipart body' : 'the upload broke off'
	});
}

/**
 * An upload of documents to the applicant's open request: parsed within the limits, then stored
 * all together in one transaction, or not at all.
 */
export async function receiveDocuments(
	db: Db,
	request: Request,
	input: { reference: string; actor: TriageActor }
) {
	const { files } = await parseUpload(request);
	return addDocuments(db, { ...input, files });
}

/**
 * A stored document as a download: an attachment (never shown inside the portal's own origin),
 * its type as sniffed when stored, no sniffing by the browser, and a CSP that sandboxes it should
 * a browser render it anyway. The file name is only the label the person gave it. With `inline`,
 * a PNG or JPEG is sent inline, for an <img> on the officer's page; any other type stays an
 * attachment whatever was asked.
 */
export function documentResponse(
	doc: {
		label: string;
		contentType: string;
		size: number;
		content: Uint8Array;
	},
	options: { inline?: boolean } = {}
): Response {
	const ascii = doc.label.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	const disposition =
		options.inline && TRIAGE_INLINE_TYPES.includes(doc.contentType) ? 'inline' : 'attachment';
	return new Response(new Uint8Array(doc.content), {
		headers: {
			'Content-Type': doc.contentType,
			'Content-Length': String(doc.size),
			'Content-Disposition': `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(doc.label)}`,
			'X-Content-Type-Options': 'nosniff',
			'Content-Security-Policy': "sandbox; default-src 'none'",
			'Cache-Control': 'private, no-store'
		}
	});
}
