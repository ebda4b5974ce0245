import type { PageServerLoad } from './$types';
import { requireApplicant } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { listOwnCases } from '$lib/server/cases/case.service';

export const load: PageServerLoad = async ({ locals }) => {
	const cases = await listOwnCases(db, requireApplicant(locals));
	return {
		cases: cases.map((c) => ({
			reference: c.reference,
			product: c.product_code,
			stage: c.stage_code,
			status: c.status,
			outcome: c.outcome,
			submittedAt: c.submitted_at.toISOString(),
			deadline: c.deadline
		}))
	};
};
