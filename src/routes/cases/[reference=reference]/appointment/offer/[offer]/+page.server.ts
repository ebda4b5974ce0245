import { randomUUID } from 'node:crypto';
import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { nudgeEmail } from '$lib/server/app';
import { requireApplicant } from '$lib/server/auth/access';
import { loadOrError, submitForm } from '$lib/server/http/errors';
import { getCasePlanning, getOffer } from '$lib/server/planning/applicant.service';
import { acceptOffer } from '$lib/server/planning/waitlist.service';
import { acceptOfferSchema } from '$lib/server/planning/planning.validation';

/** The offer's id from the path; anything else is an id no offer has. */
const offerId = (param: string) => (/^\d{1,10}$/.test(param) ? Number(param) : 0);

export const load: PageServerLoad = async ({ locals, params }) => {
	const user = requireApplicant(locals);
	return loadOrError(locals.lang, async () => {
		const offer = await getOffer(db, user, params.reference, offerId(params.offer));
		const planning = await getCasePlanning(db, user, params.reference);
		// A new key each time the page is shown; a repeat of the same POST books once.
		return {
			reference: params.reference,
			offer,
			current: planning.appointment,
			key: randomUUID()
		};
	});
};

export const actions: Actions = {
	accept: async ({ request, locals, params, getClientAddress }) => {
		const user = requireApplicant(locals);
		const offer = await loadOrError(locals.lang, () =>
			getOffer(db, user, params.reference, offerId(params.offer))
		);
		return submitForm(await request.formData(), acceptOfferSchema, async ({ key }) => {
			await acceptOffer(db, {
				offerId: offer.id,
				idempotencyKey: key,
				actor: { userId: user.id, role: 'applicant', ip: getClientAddress() }
			});
			// The appointment it replaces frees a place that may go to the waitlist.
			await nudgeEmail();
			redirect(303, `/cases/${params.reference}/appointment?done=offer_accepted`);
		});
	}
};
