/** The browser's i18next with one language's locale files, fetched when a page needs more than its first render's texts. */
import { createEngine, resourcesOf, type Engine } from './engine';

const files = import.meta.glob<Record<string, unknown>>('./locales/*/*.json', {
	import: 'default'
});

export async function loadEngine(
	languages: string[],
	fallback: string,
	wanted: string[]
): Promise<Engine> {
	const needed = [...new Set([...wanted, fallback])];
	const entries = await Promise.all(
		Object.entries(files)
			.filter(([path]) => needed.some((lang) => path.includes(`/locales/${lang}/`)))
			.map(async ([path, load]) => [path, await load()] as const)
	);
	return createEngine(resourcesOf(Object.fromEntries(entries)), languages, fallback);
}
