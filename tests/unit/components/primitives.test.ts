/** The pages use the primitives in src/lib/components/ui/ instead of writing their own. */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function svelteFiles(dir = 'src'): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory()
			? svelteFiles(join(dir, e.name))
			: e.name.endsWith('.svelte')
				? [join(dir, e.name)]
				: []
	);
}

const sources = svelteFiles().map((file) => ({ file, text: readFileSync(file, 'utf8') }));
const primitives = (file: string) => file.startsWith(join('src/lib/components/ui'));

function offenders(pattern: RegExp, except: (file: string) => boolean = () => false): string[] {
	return sources
		.filter(({ file, text }) => !except(file) && pattern.test(text))
		.map(({ file }) => file);
}

describe('UI primitives', () => {
	it('Alert is the only place that makes a live region', () => {
		const live = /\brole=["{]?['"]?(status|alert)|aria-live|\s\{role\}/;
		expect(offenders(live, (f) => f === join('src/lib/components/ui/Alert.svelte'))).toEqual([]);
	});

	it('no notice is written by hand', () => {
		expect(offenders(/class="[^"]*\bnotice\b/)).toEqual([]);
		expect(readFileSync('src/app.css', 'utf8')).not.toMatch(/\.notice\b/);
	});

	it('inputs have one look, in app.css: no component styles the border of an input', () => {
		const styles = sources.map(({ file, text }) => ({
			file,
			css: /<style>([\s\S]*?)<\/style>/.exec(text)?.[1] ?? ''
		}));
		const restyled = styles.filter(({ css }) =>
			[...css.matchAll(/([^{}]+)\{([^}]*)\}/g)].some(
				([, selector, body]) =>
					/\b(input|select|textarea)\b|\.input\b/.test(selector) &&
					/\b(border|padding|min-block-size)\b/.test(body)
			)
		);
		expect(restyled.map(({ file }) => file)).toEqual([]);
		expect(readFileSync('src/app.css', 'utf8')).toMatch(/\n\.input \{[^}]*border:/);
	});

	it('every page that reads its form prop reads it through formState', () => {
		const pages = sources.filter(
			({ file, text }) =>
				/\+page\.svelte$/.test(file) && /let \{[^}]*\bform\b[^}]*\}[^=]*= \$props\(\)/.test(text)
		);
		expect(pages.length).toBeGreaterThanOrEqual(13);
		// The form prop itself (with the page's translator from formPage, or with a translator of
		// its own), or the form prop falling back to a problem the load reported.
		const throughFormState =
			/formPage\(data\.lang, form\)|formState\(\s*t,\s*data\.lang,\s*form( \?\?|\))/;
		expect(pages.filter(({ text }) => !throughFormState.test(text)).map((p) => p.file)).toEqual([]);
	});

	it('no page translates errors, finds a field’s error or builds the error title itself', () => {
		const byHand =
			/translateErrors\(|errors\.find\(|errorOf|common:error_prefix|common:error_summary_title/;
		expect(offenders(byHand, primitives)).toEqual([]);
	});

	it('every page title goes through PageTitle, with the service name after it', () => {
		expect(offenders(/<title>/, primitives)).toEqual([]);
		const pages = sources.filter(({ file }) => /\+(page|error)\.svelte$/.test(file));
		// A page that adds one thing has its title from CreatePage, which shows it with PageTitle.
		const titled = /<PageTitle|<CreatePage/;
		expect(pages.filter(({ text }) => !titled.test(text)).map((p) => p.file)).toEqual([]);
	});
});
