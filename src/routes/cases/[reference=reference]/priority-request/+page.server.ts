import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { db } from '$lib/server/db';
import { requireApplicant } from '$lib/server/auth/access';
import { DomainError } from '$lib/server/errors';
import { fieldErrorsOf, loadOrError, statusOf } from '$lib/server/http/errors';
import {
	addDocuments,
	getPriorityRequestPage,
	prepareDocuments,
	type PreparedDocument,
	removeDocument,
	saveDraft,
	startRequest,
	withdrawRequest
} from '$lib/server/triage/triage.service';
import { parseUpload, receiveDocuments, type ParsedUpload } from '$lib/server/triage/triage.upload';
import { echo } from '$lib/validation/form';

const DONE = ['uploaded', 'removed', 'withdrawn', 'saved'] as const;

/**
 * The applicant's request for faster handling: start it, fill it in, add documents; then "check
 * your answers" (./check) and the receipt (./receipt). Every step is a form POST with a
 * redirect, so nothing needs JavaScript.
 */
export const load: PageServerLoad = async ({ locals, params, url }) => {
	const user = requireApplicant(locals);
	const page = await loadOrError(locals.lang, () =>
		getPriorityRequestPage(db, { reference: params.reference, userId: user.id })
	);
	const done = DONE.find((d) => d === url.searchParams.get('done')) ?? null;
	return { page, done };
};

function actor(event: RequestEvent) {
	const user = requireApplicant(event.locals);
	return { userId: user.id, role: 'applicant', ip: event.getClientAddress() };
}

/** The refusal of some work, or null when it went through. */
async function refusalOf(work: () => Promise<unknown>): Promise<DomainError | null> {
	try {
		await work();
		return null;
	} catch (e) {
		if (!(e instanceof DomainError)) throw e;
		return e;
	}
}

/**
 * Runs the work; a refusal becomes the form's failure with every message, the values echoed,
 * together with refusals found before (`also`).
 */
async function attempt(
	form: FormData | null,
	work: () => Promise<unknown>,
	also: DomainError | null = null
) {
	const refused = await refusalOf(work);
	const first = refused ?? also;
	if (!first) return null;
	return fail(statusOf(first.kind), {
		values: form ? echo(form) : {},
		errors: [refused, also].flatMap((e) => (e ? fieldErrorsOf(e) : []))
	});
}

const here = (reference: string, done?: (typeof DONE)[number], anchor = '') =>
	`/cases/${reference}/priority-request${done ? `?done=${done}` : ''}${anchor}`;

export const actions: Actions = {
	start: async (event) => {
		const failed = await attempt(null, () =>
			startRequest(db, { reference: event.params.reference, actor: actor(event) })
		);
		if (failed) return failed;
		redirect(303, here(event.params.reference));
	},
	// The draft's one form: the answers, files to add and a document to remove, as multipart, so
	// that nothing typed is lost when files are added. It is read as a stream within the upload
	// limits; the files are checked, then the answers saved and the files stored, each in one
	// transaction.
	save: async (event) => {
		const act = actor(event);
		const reference = event.params.reference;
		let upload: ParsedUpload;
		try {
			upload = await parseUpload(event.request);
		} catch (e) {
			if (!(e instanceof DomainError)) throw e;
			return fail(statusOf(e.kind), { values: {}, errors: fieldErrorsOf(e) });
		}
		const form = upload.fields;
		const grounds = [...form.keys()]
			.filter((k) => k.startsWith('grounds_') && form.get(k) === 'on')
			.map((k) => k.slice('grounds_'.length));
		const remove = form.get('remove');
		// The files are checked first: when one is refused, the answers are only checked, so that
		// the page shows every message at once and nothing is saved.
		let prepared: PreparedDocument[] = [];
		const refusedFile = upload.files.length
			? await refusalOf(async () => (prepared = await prepareDocuments(upload.files)))
			: null;
		const failed = await attempt(
			form,
			async () => {
				await saveDraft(db, {
					reference,
					actor: act,
					checkOnly: refusedFile !== null,
					draft: {
						grounds,
						explanation: String(form.get('explanation') ?? ''),
						whatChanged: form.has('whatChanged') ? String(form.get('whatChanged')) : null,
						healthConsent: form.get('healthConsent') === 'on'
					}
				});
				if (refusedFile) return;
				if (typeof remove === 'string' && remove)
					await removeDocument(db, { reference, actor: act, documentId: remove });
				if (prepared.length) await addDocuments(db, { reference, actor: act, prepared });
			},
			refusedFile
		);
		if (failed) return failed;
		if (form.get('next') === 'check') redirect(303, `/cases/${reference}/priority-request/check`);
		const done = remove ? 'removed' : upload.files.length ? 'uploaded' : 'saved';
		redirect(303, here(reference, done, upload.files.length || remove ? '#documents-heading' : ''));
	},
	upload: async (event) => {
		const failed = await attempt(null, () =>
			receiveDocuments(db, event.request, {
				reference: event.params.reference,
				actor: actor(event)
			})
		);
		if (failed) return failed;
		redirect(303, here(event.params.reference, 'uploaded', '#documents-heading'));
	},
	withdraw: async (event) => {
		const failed = await attempt(null, () =>
			withdrawRequest(db, { reference: event.params.reference, actor: actor(event) })
		);
		if (failed) return failed;
		redirect(303, here(event.params.reference, 'withdrawn'));
	}
};
