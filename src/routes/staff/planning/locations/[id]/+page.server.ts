import type { z } from 'zod';
import type { Action, Actions, PageServerLoad } from './$types';
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

/**
 * An action of the planner on this location (a 404 page when it does not exist): the form read
 * with `schema`, then the work, whose result names the message the page shows (`done`).
 */
function onLocation<S extends z.ZodType>(
	schema: S,
	work: (
		input: z.infer<S>,
		at: { actor: ReturnType<typeof planner>; locationId: number }
	) => Promise<{ done: string }>
): Action {
	return async ({ params, request, locals, getClientAddress }) => {
		const actor = planner(locals, getClientAddress());
		const location = await loadOrError(locals.lang, () => requireLocation(db, params.id));
		return submitForm(await request.formData(), schema, (input) =>
			work(input, { actor, locationId: location.id })
		);
	};
}

export const actions: Actions = {
	template: onLocation(templateSchema, async (input, { actor, locationId }) => {
		await setTemplateSlot(db, { locationId, ...input }, actor);
		return { done: 'template_set' };
	}),
	removeTemplate: onLocation(removeTemplateSchema, async (templateId, { actor, locationId }) => {
		await removeTemplateSlot(db, { locationId, templateId }, actor);
		return { done: 'template_removed' };
	}),
	generate: onLocation(generateSchema, async (input, { actor, locationId }) => {
		const created = await generateSlots(db, { locationId, ...input }, actor);
		return { done: 'slots_generated', created };
	}),
	interpreter: onLocation(interpreterSchema, async (input, { actor, locationId }) => {
		await addInterpreter(db, { locationId, ...input }, actor);
		return { done: 'interpreter_added' };
	}),
	shift: onLocation(shiftSchema, async (input, { actor, locationId }) => {
		await addShift(db, { ...input, locationId }, actor);
		return { done: 'shift_added' };
	})
};
