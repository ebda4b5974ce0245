import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { nudgeEmail } from '$lib/server/app';
import { DomainError } from '$lib/server/errors';
import { fieldErrorsOf, loadOrError, statusOf } from '$lib/server/http/errors';
import { translator } from '$lib/i18n';
import {
	confirmDecision,
	decideRequest,
	getRequestForOfficer,
	returnDecision
} from '$lib/server/triage/triage.service';
import { REASON_TEMPLATES, TRIAGE_OUTCOMES } from '$lib/triage';
import { echo } from '$lib/validation/form';
import { triageErrors } from '$lib/server/triage/triage.errors';
import { officer } from '../officer';

function requestId(id: string, lang: string): number {
	if (!/^\d{1,9}$/.test(id)) error(404, translator(lang)('errors.not_found'));
	return Number(id);
}

const DONE = ['decided', 'confirmed', 'returned'] as const;

/** One request: its answers, documents, the current conditions and the decision, if any. */
export const load: PageServerLoad = async ({ locals, params, url, getClientAddress }) => {
	const actor = officer(locals, getClientAddress());
	const id = requestId(params.id, locals.lang);
	const view = await loadOrError(locals.lang, () =>
		getRequestForOfficer(db, { requestId: id, actor })
	);
	return {
		...view,
		me: actor.userId,
		reasons: REASON_TEMPLATES,
		outcomes: TRIAGE_OUTCOMES,
		done: DONE.find((d) => d === url.searchParams.get('done')) ?? null
	};
};

async function attempt(form: FormData, work: () => Promise<unknown>) {
	try {
		await work();
	} catch (e) {
		if (!(e instanceof DomainError)) throw e;
		return fail(statusOf(e.kind), { values: echo(form), errors: fieldErrorsOf(e) });
	}
	return null;
}

const ticked = (form: FormData, prefix: string) =>
	[...form.keys()]
		.filter((k) => k.startsWith(prefix) && form.get(k) === 'on')
		.map((k) => k.slice(prefix.length));

export const actions: Actions = {
	decide: async ({ request, locals, params, getClientAddress }) => {
		const actor = officer(locals, getClientAddress());
		const id = requestId(params.id, locals.lang);
		const form = await request.formData();
		const outcome = String(form.get('outcome') ?? '');
		const failed = await attempt(form, async () => {
			if (!(TRIAGE_OUTCOMES as readonly string[]).includes(outcome))
				throw triageErrors.error('outcome_required');
			await decideRequest(db, {
				requestId: id,
				actor,
				outcome: outcome as (typeof TRIAGE_OUTCOMES)[number],
				conditionsVersion: Number(form.get('conditionsVersion') ?? 0),
				conditionsMet: ticked(form, 'condition_'),
				// Only the reasons of the chosen outcome count; the other group may be ticked by mistake.
				reasons: ticked(form, `reason_${outcome}_`),
				reasonText: String(form.get('reasonText') ?? '')
			});
		});
		if (failed) return failed;
		await nudgeEmail();
		redirect(303, `/staff/triage/${id}?done=decided`);
	},
	confirm: async ({ request, locals, params, getClientAddress }) => {
		const actor = officer(locals, getClientAddress());
		const id = requestId(params.id, locals.lang);
		const form = await request.formData();
		const failed = await attempt(form, () => confirmDecision(db, { requestId: id, actor }));
		if (failed) return failed;
		await nudgeEmail();
		redirect(303, `/staff/triage/${id}?done=confirmed`);
	},
	sendBack: async ({ request, locals, params, getClientAddress }) => {
		const actor = officer(locals, getClientAddress());
		const id = requestId(params.id, locals.lang);
		const form = await request.formData();
		const failed = await attempt(form, () =>
			returnDecision(db, { requestId: id, actor, reason: String(form.get('returnReason') ?? '') })
		);
		if (failed) return failed;
		redirect(303, `/staff/triage/${id}?done=returned`);
	}
};
