/**
 * The browser's translations. The first page hydrates with the texts the server wrote into it
 * (eager.ts): the same sentences, without i18next and the locale files, which would triple the
 * JavaScript of a first visit. i18next and the page's language are fetched when more is needed:
 * before a navigation renders (`loadTranslations`), when the person starts using a form, or when a
 * text was not in the page; the texts then render again.
 */
import type { TFunction } from 'i18next';
import type { Engine } from './engine';
import { PAGE_TEXTS_ID, textKey } from './page-texts';

export interface BrowserTexts {
	translator(lang: string, namespace?: string): TFunction;
	load(lang: string): Promise<void>;
}

export function createBrowserTexts(languages: string[], fallback: string): BrowserTexts {
	let pageTexts: Record<string, string> | undefined;
	// Replaced, not changed, when a language arrives: the texts that read it render again.
	let loaded = $state.raw<{ engine: Engine; languages: string[] } | null>(null);
	const loading = new Map<string, Promise<void>>();

	function load(lang: string): Promise<void> {
		let promise = loading.get(lang);
		if (!promise) {
			promise = import('./lazy')
				.then((lazy) => lazy.loadEngine(languages, fallback, [...loading.keys()]))
				.then((engine) => {
					loaded = { engine, languages: [...loading.keys()] };
				});
			loading.set(lang, promise);
			promise.catch(() => loading.delete(lang));
		}
		return promise;
	}

	function fromPage(): Record<string, string> {
		if (pageTexts) return pageTexts;
		const element = document.getElementById(PAGE_TEXTS_ID);
		pageTexts = element?.textContent ? JSON.parse(element.textContent) : {};
		// A form's answer may bring messages the first page did not show.
		addEventListener('focusin', () => void load(document.documentElement.lang || fallback), {
			once: true,
			capture: true
		});
		return pageTexts!;
	}

	const translators = new Map<string, TFunction>();
	return {
		load,
		translator(lang, namespace) {
			const cacheKey = `${lang}|${namespace ?? ''}`;
			let t = translators.get(cacheKey);
			if (!t) {
				const translate = (...args: unknown[]): string => {
					const current = loaded;
					if (current?.languages.includes(lang)) {
						const full = current.engine.translator(lang, namespace) as unknown as (
							...a: unknown[]
						) => string;
						return full(...args);
					}
					const text = fromPage()[textKey(lang, namespace, args)];
					if (text !== undefined) return text;
					void load(lang);
					return '';
				};
				t = translate as unknown as TFunction;
				translators.set(cacheKey, t);
			}
			return t;
		}
	};
}
