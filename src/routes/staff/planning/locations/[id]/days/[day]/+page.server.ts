import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { closeDay, closeSlot, markAttendance } from '$lib/server/planning/capacity.service';
import { getDayList, requireLocation } from '$lib/server/planning/figures.service';
import { planningErrors } from '$lib/server/planning/planning.errors';
import {
	attendanceSchema,
	closeDaySchema,
	closeSlotSchema
} from '$lib/server/planning/planning.validation';
import { loadOrError, pageError, submitForm } from '$lib/server/http/errors';
import { planner } from '../../../../planner';

/** The day from the URL (YYYY-MM-DD, a real date), or a 404 page. */
function dayOf(param: string, lang: string): string {
	const valid =
		/^\d{4}-\d{2}-\d{2}$/.test(param) &&
		new Date(`${param}T12:00:00Z`).toISOString().slice(0, 10) === param;
	if (!valid) pageError(planningErrors.error('not_found'), lang);
	return param;
}

export const load: PageServerLoad = async ({ params, locals, getClientAddress }) => {
	planner(locals, getClientAddress());
	const day = dayOf(params.day, locals.lang);
	return loadOrError(locals.lang, () => getDayList(db, params.id, day));
};

async function context(params: { id: string; day: string }, locals: App.Locals, ip: string) {
	const actor = planner(locals, ip);
	const day = dayOf(params.day, locals.lang);
	const location = await loadOrError(locals.lang, () => requireLocation(db, params.id));
	return { actor, day, locationId: location.id };
}

export const actions: Actions = {
	closeSlot: async ({ params, request, locals, getClientAddress }) => {
		const { actor, locationId } = await context(params, locals, getClientAddress());
		return submitForm(await request.formData(), closeSlotSchema, async (input) => {
			const result = await closeSlot(db, { ...input, actor, locationId });
			return { done: 'slot_closed', reinvited: result.rebookingInvitations.length };
		});
	},
	closeDay: async ({ params, request, locals, getClientAddress }) => {
		const { actor, day, locationId } = await context(params, locals, getClientAddress());
		return submitForm(await request.formData(), closeDaySchema, async ({ dayReason }) => {
			const result = await closeDay(db, { locationId, day, reason: dayReason, actor });
			return {
				done: 'day_closed',
				slots: result.slots,
				reinvited: result.rebookingInvitations.length
			};
		});
	},
	attendance: async ({ params, request, locals, getClientAddress }) => {
		const { actor, locationId } = await context(params, locals, getClientAddress());
		return submitForm(await request.formData(), attendanceSchema, async (input) => {
			// The buttons sit in the day's table: a refusal is shown at its caption.
			await markAttendance(db, { ...input, actor, locationId }).catch((e) => {
				throw planningErrors.is(e) ? planningErrors.error(e.code, { field: 'day-caption' }) : e;
			});
			return { done: input.outcome === 'attended' ? 'marked_attended' : 'marked_no_show' };
		});
	}
};
