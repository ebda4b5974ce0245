import type { LayoutServerLoad } from './$types';
import { menuOf, ruleFor } from '$lib/access';
import { languageOf } from '$lib/i18n';
import { offlineDays } from '$lib/offline';
import { markUnusedInDocuments } from '$lib/document';

export const load: LayoutServerLoad = ({ locals, route }) => {
	const language = languageOf(locals.lang)!;
	const user = locals.user;
	// The menu item of the area the page belongs to is marked current (none on a 404 page).
	const area = route.id === null ? null : (ruleFor(route.id)?.area ?? null);
	// Left out of a page that does not hydrate, as that page's own data is ($lib/server/document.ts).
	return markUnusedInDocuments({
		lang: language.code,
		dir: language.dir,
		// Only what the header needs: never roles' organisations or ids.
		menu: menuOf(user).map((item) => ({
			href: item.href,
			label: item.label,
			current: item.area === area
		})),
		user: user ? { name: user.displayName } : null,
		offlineDays: offlineDays(process.env.OFFLINE_CASE_DAYS)
	});
};
