import type { LayoutServerLoad } from './$types';
import { hasRole } from '$lib/server/auth/principal';

export const load: LayoutServerLoad = ({ locals }) => ({
	// Only administrators manage colleagues; the section's menu shows them the page.
	referentAdmin: hasRole(locals.user, 'referent_admin')
});
