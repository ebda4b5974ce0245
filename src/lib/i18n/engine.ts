import i18next, { type i18n as I18n, type Resource, type TFunction } from 'i18next';

export interface Engine {
	i18n: I18n;
	translator(lang: string, namespace?: string): TFunction;
}

/** The locale files as i18next resources: `./locales/<lng>/<ns>.json` → `resources[lng][ns]`. */
export function resourcesOf(files: Record<string, Record<string, unknown>>): Resource {
	const resources: Resource = {};
	for (const [path, content] of Object.entries(files)) {
		const [, lng, ns] = /\/locales\/([^/]+)\/([^/]+)\.json$/.exec(path)!;
		(resources[lng] ??= {})[ns] = content;
	}
	return resources;
}

/** An i18next instance on the given resources, with a translate function per language and namespace. */
export function createEngine(resources: Resource, languages: string[], fallback: string): Engine {
	const i18n = i18next.createInstance();
	void i18n.init({
		resources,
		supportedLngs: languages,
		fallbackLng: fallback,
		ns: Object.keys(resources[fallback] ?? {}),
		defaultNS: 'common',
		interpolation: { escapeValue: false },
		initAsync: false
	});
	const translators = new Map<string, TFunction>();
	return {
		i18n,
		/**
		 * Texts without options are looked up once and then served from a map: a page asks for a
		 * hundred of them, and i18next resolves each one anew.
		 */
		translator(lang, namespace) {
			const cacheKey = `${lang}|${namespace ?? ''}`;
			let t = translators.get(cacheKey);
			if (!t) {
				const fixed = i18n.getFixedT(lang, namespace) as unknown as (...args: unknown[]) => string;
				const plain = new Map<string, string>();
				const memo = (key: unknown, ...rest: unknown[]) => {
					if (rest.length > 0 || typeof key !== 'string') return fixed(key, ...rest);
					let text = plain.get(key);
					if (text === undefined) plain.set(key, (text = fixed(key)));
					return text;
				};
				t = memo as unknown as TFunction;
				translators.set(cacheKey, t);
			}
			return t;
		}
	};
}
