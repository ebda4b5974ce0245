import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { dutchDate, weekStartOf } from '$lib/time';
import {
	addInterpreter,
	addShift,
	generateSlots,
	removeTemplateSlot,
	setTemplateSlot
} from '$lib/server/planning/capacity.service';
import { getLocationPage, requireLocation } from '$lib/server/planning/figures.service';
import {
	generateSchema,
	interpreterSchema,
	removeTemplateSchema,
	shiftSchema,
	templateSchema
} from '$lib/server/planning/planning.validation';
import { loadOrError, submitForm } from '$lib/server/http/errors';
import { planner } from '../../planner';

/** The Monday of the week asked for (`?week=`), else of this week. */
function weekOf(url: URL): string {
	const asked = url.searchParams.get('week') ?? '';
	const moment = /^\d{4}-\d{2}-\d{2}$/.test(asked) ? Date.parse(`${asked}T12:00:00Z`) : NaN;
	return weekStartOf(Number.isNaN(moment) ? new Date() : moment);
}

export const load: PageServerLoad = async ({ params, url, locals, getClientAddress }) => {
	planner(locals, getClientAddress());
	const week = weekOf(url);
	const page = await loadOrError(locals.lang, () => getLocationPage(db, params.id, week));
	return { ...page, week, today: dutchDate(new Date()) };
};

/** The location the action is for (a 404 page when it does not exist) and the planner acting. */
async function context(params: { id: string }, locals: App.Locals, ip: string) {
	const actor = planner(locals, ip);
	const location = await loadOrError(locals.lang, () => requireLocation(db, params.id));
	return { actor, locationId: location.id };
}

export const actions: Actions = {
	template: async ({ params, request, locals, getClientAddress }) => {
		const { actor, locationId } = await context(params, locals, getClientAddress());
		return submitForm(await request.formData(), templateSchema, async (input) => {
			await setTemplateSlot(db, { locationId, ...input }, actor);
			return { done: 'template_set' };
		});
	},
	removeTemplate: async ({ params, request, locals, getClientAddress }) => {
		const { actor, locationId } = await context(params, locals, getClientAddress());
		return submitForm(await request.formData(), removeTemplateSchema, async (templateId) => {
			await removeTemplateSlot(db, { locationId, templateId }, actor);
			return { done: 'template_removed' };
		});
	},
	generate: async ({ params, request, locals, getClientAddress }) => {
		const { actor, locationId } = await context(params, locals, getClientAddress());
		return submitForm(await request.formData(), generateSchema, async (input) => {
			const created = await generateSlots(db, { locationId, ...input }, actor);
			return { done: 'slots_generated', created };
		});
	},
	interpreter: async ({ params, request, locals, getClientAddress }) => {
		const { actor, locationId } = await context(params, locals, getClientAddress());
		return submitForm(await request.formData(), interpreterSchema, async (input) => {
			await addInterpreter(db, { locationId, ...input }, actor);
			return { done: 'interpreter_added' };
		});
	},
	shift: async ({ params, request, locals, getClientAddress }) => {
		const { actor, locationId } = await context(params, locals, getClientAddress());
		return submitForm(await request.formData(), shiftSchema, async (input) => {
			await addShift(db, { ...input, locationId }, actor);
			return { done: 'shift_added' };
		});
	}
};
