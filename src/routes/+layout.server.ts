import type { LayoutServerLoad } from './$types';
import { languageOf } from '$lib/i18n';

export const load: LayoutServerLoad = ({ locals, url }) => {
	const language = languageOf(locals.lang)!;
	const user = locals.user;
	const roles = new Set(user?.roles.map((r) => r.role));
	const areas: string[] = [];
	if (user?.kind === 'applicant') areas.push('cases');
	if (roles.has('referent_admin') || roles.has('referent_member')) areas.push('referent');
	if (roles.has('counter')) areas.push('counter');
	if (roles.has('triage') || roles.has('planner') || roles.has('admin')) areas.push('staff');
	if (roles.has('admin')) areas.push('admin');
	return {
		lang: language.code,
		dir: language.dir,
		path: url.pathname,
		// Only what the header needs: never roles' organisations or ids.
		user: user ? { name: user.displayName, areas } : null
	};
};
