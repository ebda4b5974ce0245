import { fileTypeFromBuffer } from 'file-type';
import { TRIAGE_CONTENT_TYPES } from '$lib/triage';
import type { TriageContentType } from '$lib/server/db/schema';

/**
 * The type of a document by its content (its magic number), never by its name or the type the
 * browser sent: a renamed executable called `scan.pdf` is not a PDF. Null for anything other
 * than a PDF, JPEG or PNG.
 */
export async function sniffDocument(bytes: Uint8Array): Promise<TriageContentType | null> {
	const found = await fileTypeFromBuffer(bytes);
	const mime = found?.mime as string | undefined;
	return mime && (TRIAGE_CONTENT_TYPES as readonly string[]).includes(mime)
		? (mime as TriageContentType)
		: null;
}
