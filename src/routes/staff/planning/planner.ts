import { requirePrincipal } from '$lib/server/auth/access';
import { actorOf } from '$lib/server/auth/principal';
import { PLANNER_ROLES } from '$lib/roles';

/** The planner a load or action acts for, as the audit log records them. */
export function planner(locals: App.Locals, ip: string) {
	const user = requirePrincipal(locals, ...PLANNER_ROLES);
	return actorOf(user, 'planner', ip);
}
