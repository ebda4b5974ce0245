import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { CaseAccessDenied, findOwnCase } from '$lib/server/cases/case.service';
import { findStageHistory } from '$lib/server/cases/case.repository';
import { findCaseAccessLog } from '$lib/server/audit/audit.service';
import { translator } from '$lib/i18n';

export const load: PageServerLoad = async ({ locals, params }) => {
	try {
		const found = await findOwnCase(db, locals.user!, params.reference);
		const [history, accessLog] = await Promise.all([findStageHistory(db, found.id), findCaseAccessLog(db, found.id)]);
		return {
			case: {
				reference: found.reference,
				product: found.product_code,
				stage: found.stage_code,
				stageEnteredAt: found.stage_entered_at.toISOString(),
				status: found.status,
				outcome: found.outcome,
				submittedAt: found.submitted_at.toISOString(),
				deadline: found.deadline,
				originalDeadline: found.original_deadline,
				deadlineReason: found.deadline_reason
			},
			history: history.map((h) => ({ type: h.type, at: h.occurred_at.toISOString(), stage: h.stage })),
			// Role, organisation or desk and time: never the names of staff.
			accessLog: accessLog.map((a) => ({ at: a.at.toISOString(), role: a.actor_role, organisation: a.actor_organisation, desk: a.actor_desk, action: a.action }))
		};
	} catch (e) {
		if (e instanceof CaseAccessDenied) error(404, translator(locals.lang)('errors.not_found'));
		throw e;
	}
};
