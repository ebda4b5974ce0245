import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { requirePrincipal } from '$lib/server/auth/access';
import { DomainError } from '$lib/server/errors';
import { fieldErrorsOf, statusOf } from '$lib/server/http/errors';
import {
	getConditions,
	publishConditions,
	type Condition
} from '$lib/server/triage/triage.service';
import { echo } from '$lib/validation/form';

/** The conditions triage officers test against: edited here, published as a new version. */
export const load: PageServerLoad = async ({ locals, url }) => {
	requirePrincipal(locals, 'admin');
	return {
		conditions: await getConditions(db),
		published: url.searchParams.get('published')
	};
};

export const actions: Actions = {
	publish: async ({ request, locals, getClientAddress }) => {
		const admin = requirePrincipal(locals, 'admin');
		const form = await request.formData();
		const text = (name: string) => String(form.get(name) ?? '').trim();
		const conditions: Condition[] = [];
		for (let i = 0; form.has(`code_${i}`); i++)
			conditions.push({
				code: text(`code_${i}`),
				textNl: text(`textNl_${i}`),
				textEn: text(`textEn_${i}`),
				active: form.get(`active_${i}`) === 'on'
			});
		if (text('code_new') || text('textNl_new') || text('textEn_new'))
			conditions.push({
				code: text('code_new'),
				textNl: text('textNl_new'),
				textEn: text('textEn_new'),
				active: true
			});
		try {
			const version = await publishConditions(db, {
				baseVersion: Number(form.get('baseVersion') ?? 0),
				conditions,
				actor: { userId: admin.id, role: 'admin', ip: getClientAddress() }
			});
			redirect(303, `/staff/admin/triage-conditions?published=${version}`);
		} catch (e) {
			if (!(e instanceof DomainError)) throw e;
			return fail(statusOf(e.kind), { values: echo(form), errors: fieldErrorsOf(e) });
		}
	}
};
