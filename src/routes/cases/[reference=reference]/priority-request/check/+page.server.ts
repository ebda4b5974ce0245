import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { nudgeEmail } from '$lib/server/app';
import { requireApplicant } from '$lib/server/auth/access';
import { DomainError } from '$lib/server/errors';
import { fieldErrorsOf, loadOrError, statusOf } from '$lib/server/http/errors';
import { getPriorityRequestPage, sendRequest } from '$lib/server/triage/triage.service';
import { echo } from '$lib/validation/form';

/** "Check your answers": the draft as it will be sent, the declaration, and the send button. */
export const load: PageServerLoad = async ({ locals, params }) => {
	const user = requireApplicant(locals);
	const page = await loadOrError(locals.lang, () =>
		getPriorityRequestPage(db, { reference: params.reference, userId: user.id })
	);
	if (page.open?.status !== 'draft') redirect(303, `/cases/${params.reference}/priority-request`);
	return { page };
};

export const actions: Actions = {
	send: async ({ request, locals, params, getClientAddress }) => {
		const user = requireApplicant(locals);
		const form = await request.formData();
		try {
			await sendRequest(db, {
				reference: params.reference,
				actor: { userId: user.id, role: 'applicant', ip: getClientAddress() },
				declaration: form.get('declaration') === 'on'
			});
		} catch (e) {
			if (!(e instanceof DomainError)) throw e;
			return fail(statusOf(e.kind), { values: echo(form), errors: fieldErrorsOf(e) });
		}
		await nudgeEmail();
		redirect(303, `/cases/${params.reference}/priority-request/receipt`);
	}
};
