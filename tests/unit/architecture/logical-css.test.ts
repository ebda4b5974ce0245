import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Arabic and Persian pages mirror only if the styles say start and end, not left and right
 * (margin-inline-start, inset-inline-end, text-align: start). Staff pages stay nl/en.
 */
const applicantSources = [
	'src/app.css',
	'src/lib/components',
	'src/routes/+layout.svelte',
	'src/routes/+error.svelte',
	'src/routes/auth',
	'src/routes/account',
	'src/routes/cases',
	'src/routes/statistics',
	'src/routes/how-we-calculate'
];

const PHYSICAL = [
	/\b(margin|padding|border|scroll-margin|scroll-padding)-(left|right)\b/,
	/\bborder-(top|bottom)-(left|right)-radius\b/,
	/(^|[\s;{])(left|right)\s*:/,
	/\b(text-align|float|clear)\s*:\s*(left|right)\b/
];

function files(path: string): string[] {
	if (statSync(path).isFile()) return [path];
	return readdirSync(path).flatMap((name) => files(join(path, name)));
}

/** The CSS of a file: all of a .css file, the <style> blocks and style="" of a .svelte one. */
function css(path: string): string[] {
	const text = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
	if (path.endsWith('.css')) return text.split('\n');
	const blocks = [...text.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
	const inline = [...text.matchAll(/\bstyle(?::[\w-]+)?="([^"]*)"/g)].map((m) => m[1]);
	return [...blocks, ...inline].flatMap((b) => b.split('\n'));
}

function physical(lines: string[]): string[] {
	return lines.map((line) => line.trim()).filter((line) => PHYSICAL.some((p) => p.test(line)));
}

describe('applicant pages mirror in right-to-left languages', () => {
	it('use logical CSS properties only', () => {
		const sources = applicantSources.flatMap(files).filter((f) => /\.(svelte|css)$/.test(f));
		// The scan reads the styles: the site's and those of the pages' components.
		expect(sources.flatMap(css).length).toBeGreaterThan(1000);
		const found = sources.flatMap((f) => physical(css(f)).map((line) => `${f}: ${line}`));
		expect(found).toEqual([]);
	});

	it('finds physical properties where they are', () => {
		expect(
			physical([
				'margin-left: 1rem;',
				'.a { right: 0 }',
				'text-align: right;',
				'float: left;',
				'border-top-left-radius: 2px;',
				'margin-inline-start: 1rem;',
				'inset-inline-end: 0;',
				'text-align: start;',
				'inline-size: 10rem;',
				'max-inline-size: 40rem;'
			])
		).toEqual([
			'margin-left: 1rem;',
			'.a { right: 0 }',
			'text-align: right;',
			'float: left;',
			'border-top-left-radius: 2px;'
		]);
	});
});
