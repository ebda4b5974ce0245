import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { db } from '$lib/server/db';
import { requireApplicant } from '$lib/server/auth/access';
import { DomainError } from '$lib/server/errors';
import { fieldErrorsOf, loadOrError, statusOf } from '$lib/server/http/errors';
import {
	getPriorityRequestPage,
	removeDocument,
	saveDraft,
	startRequest,
	withdrawRequest
} from '$lib/server/triage/triage.service';
import { receiveDocuments } from '$lib/server/triage/triage.upload';
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

/** Runs the work; a refusal becomes the form's failure with every message, the values echoed. */
async function attempt(form: FormData | null, work: () => Promise<unknown>) {
	try {
		await work();
	} catch (e) {
		if (!(e instanceof DomainError)) throw e;
		return fail(statusOf(e.kind), {
			values: form ? echo(form) : {},
			errors: fieldErrorsOf(e)
		});
	}
	return null;
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
	save: async (event) => {
		const form = await event.request.formData();
		const grounds = [...form.keys()]
			.filter((k) => k.startsWith('grounds_') && form.get(k) === 'on')
			.map((k) => k.slice('grounds_'.length));
		const failed = await attempt(form, () =>
			saveDraft(db, {
				reference: event.params.reference,
				actor: actor(event),
				draft: {
					grounds,
					explanation: String(form.get('explanation') ?? ''),
					whatChanged: form.has('whatChanged') ? String(form.get('whatChanged')) : null,
					healthConsent: form.get('healthConsent') === 'on'
				}
			})
		);
		if (failed) return failed;
		redirect(
			303,
			form.get('next') === 'check'
				? `/cases/${event.params.reference}/priority-request/check`
				: here(event.params.reference, 'saved')
		);
	},
	upload: async (event) => {
		const failed = await attempt(null, () =>
			receiveDocuments(db, event.request, {
				reference: event.params.reference,
				actor: actor(event)
			})
		);
		if (failed) return failed;
		redirect(303, here(event.params.reference, 'uploaded', '#documents-title'));
	},
	remove: async (event) => {
		const form = await event.request.formData();
		const failed = await attempt(form, () =>
			removeDocument(db, {
				reference: event.params.reference,
				actor: actor(event),
				documentId: String(form.get('document') ?? '')
			})
		);
		if (failed) return failed;
		redirect(303, here(event.params.reference, 'removed', '#documents-title'));
	},
	withdraw: async (event) => {
		const failed = await attempt(null, () =>
			withdrawRequest(db, { reference: event.params.reference, actor: actor(event) })
		);
		if (failed) return failed;
		redirect(303, here(event.params.reference, 'withdrawn'));
	}
};
