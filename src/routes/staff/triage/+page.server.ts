import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { getTriageFigures, listWaitingRequests } from '$lib/server/triage/triage.service';
import { officer } from './officer';

/** The requests waiting for a decision, oldest first: triage is first in, first out as well. */
export const load: PageServerLoad = async ({ locals, getClientAddress }) => {
	const me = officer(locals, getClientAddress());
	const [requests, figures] = await Promise.all([listWaitingRequests(db), getTriageFigures(db)]);
	return { requests, figures, me: me.userId };
};
