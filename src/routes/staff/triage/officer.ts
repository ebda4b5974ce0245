import { requirePrincipal } from '$lib/server/auth/access';
import { TRIAGE_ROLES } from '$lib/roles';
import type { TriageActor } from '$lib/server/triage/triage.service';

/** The triage officer a load or action acts for, as the audit log records them. */
export function officer(locals: App.Locals, ip: string): TriageActor {
	const user = requirePrincipal(locals, ...TRIAGE_ROLES);
	return { userId: user.id, role: 'triage', ip };
}
