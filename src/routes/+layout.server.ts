import type { LayoutServerLoad } from './$types';
import { languageOf } from '$lib/i18n';

export const load: LayoutServerLoad = ({ locals, url }) => {
	const language = languageOf(locals.lang)!;
	return { lang: language.code, dir: language.dir, path: url.pathname };
};
