import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { REFERENT_ROLES } from '$lib/access';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { getDigestSettings, setDigest } from '$lib/server/referent/digest.service';

/** A ticked box sends `digest_<kvk>=on` (Choices): the organisations whose digest is wanted. */
const DIGEST_FIELD = /^digest_(\d{8})$/;

export const load: PageServerLoad = async ({ locals, url, getClientAddress }) => {
	const user = requirePrincipal(locals, ...REFERENT_ROLES);
	const saved = url.searchParams.get('saved');
	return {
		email: user.email,
		saved: saved === 'on' || saved === 'off' ? saved : null,
		organisations: await getDigestSettings(db, user, getClientAddress())
	};
};

export const actions: Actions = {
	default: async ({ request, locals }) => {
		const user = requirePrincipal(locals, ...REFERENT_ROLES);
		const form = await request.formData();
		const wanted: string[] = [];
		for (const [name, value] of form)
			if (value === 'on') {
				const kvk = DIGEST_FIELD.exec(name)?.[1];
				if (kvk) wanted.push(kvk);
			}
		await setDigest(db, user, wanted);
		redirect(303, `/referent/digest?saved=${wanted.length ? 'on' : 'off'}`);
	}
};
