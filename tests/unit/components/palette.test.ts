/**
 * One palette: every colour value stands in app.css, and every pair of colours that meets on a page
 * has the contrast WCAG 2.2 AA asks (1.4.3: 4.5:1 for text; 1.4.11: 3:1 for borders, bars and focus).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const css = readFileSync('src/app.css', 'utf8');
const root = /:root\s*\{([\s\S]*?)\n\}/.exec(css)![1];
const palette = new Map(
	[...root.matchAll(/(--colour-[\w-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()])
);

function resolve(name: string, seen: string[] = []): string {
	const value = palette.get(name);
	if (value === undefined) throw new Error(`${name} is not in the palette`);
	if (seen.includes(name)) throw new Error(`${name} refers to itself`);
	const ref = /^var\((--colour-[\w-]+)\)$/.exec(value);
	return ref ? resolve(ref[1], [...seen, name]) : value;
}

function luminance(hex: string): number {
	const h = hex.replace('#', '');
	const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
	const [r, g, b] = [0, 2, 4].map((i) => {
		const v = parseInt(full.slice(i, i + 2), 16) / 255;
		return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
	});
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
	const [hi, lo] = [luminance(resolve(a)), luminance(resolve(b))].sort((x, y) => y - x);
	return (hi + 0.05) / (lo + 0.05);
}

function files(dir: string, ending: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory()
			? files(join(dir, e.name), ending)
			: e.name.endsWith(ending)
				? [join(dir, e.name)]
				: []
	);
}

const alertLevels = ['info', 'success', 'warning', 'error'];
const surfaces = [
	'--colour-background',
	'--colour-light',
	...alertLevels.map((l) => `--colour-${l}-background`)
];

// [foreground, background] pairs of text.
const text: [string, string][] = [
	...surfaces.flatMap((s): [string, string][] => [
		['--colour-text', s],
		['--colour-link', s],
		['--colour-secondary-text', s]
	]),
	['--colour-error', '--colour-background'],
	['--colour-dark-blue', '--colour-background'],
	['--colour-header-text', '--colour-dark-blue'],
	['--colour-focus-text', '--colour-focus'],
	['--colour-button-text', '--colour-button'],
	['--colour-button-text', '--colour-button-hover'],
	['--colour-text', '--colour-button-secondary'],
	['--colour-text', '--colour-button-secondary-hover'],
	['--colour-button-text', '--colour-button-warning'],
	['--colour-button-text', '--colour-button-warning-hover']
];

// [mark, what it stands on] pairs of borders, bars and focus indicators. --colour-border is not
// here: it draws lines between rows and around cards whose text says it all (decoration).
const marks: [string, string][] = [
	['--colour-input-border', '--colour-background'],
	['--colour-focus-ring', '--colour-background'],
	['--colour-focus', '--colour-dark-blue'],
	['--colour-focus-ring', '--colour-focus'],
	['--colour-error', '--colour-background'],
	['--colour-chart-bar', '--colour-background'],
	['--colour-chart-grid', '--colour-background'],
	...alertLevels.flatMap((l): [string, string][] => [
		[`--colour-${l}`, '--colour-background'],
		[`--colour-${l}`, `--colour-${l}-background`]
	])
];

describe('the palette', () => {
	it('holds the only colour values: none in a component, none in app.css outside :root', () => {
		const literal = /#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(/;
		const found = files('src', '.svelte').flatMap((file) =>
			readFileSync(file, 'utf8')
				.split('\n')
				.map((line, i) => `${file}:${i + 1}: ${line.trim()}`)
				.filter((line) => literal.test(line.slice(line.indexOf(': ') + 2)))
		);
		expect(found).toEqual([]);
		expect(css.replace(root, '').match(new RegExp(literal, 'g')) ?? []).toEqual([]);
	});

	it('has one error red: the error alert, the error summary and fields in error share it', () => {
		const uses = (file: string, rule: RegExp) =>
			expect(readFileSync(file, 'utf8'), `${file}: ${rule}`).toMatch(rule);
		// Alert draws each level in --colour-<level>, so the error alert in --colour-error.
		uses('src/lib/components/ui/Alert.svelte', /style:--tone=\{[^}]*`var\(--colour-\$\{level\}\)`/);
		for (const level of ['error', 'warning', 'info', 'success'])
			uses(
				'src/app.css',
				new RegExp(`--colour-${level}:[^;]+;[\\s\\S]*--colour-${level}-background:`)
			);
		uses('src/lib/components/ui/ErrorSummary.svelte', /border: 5px solid var\(--colour-error\)/);
		uses('src/app.css', /\.field-error \{[^}]*var\(--colour-error\)/);
		uses('src/app.css', /\.error-message \{[^}]*color: var\(--colour-error\)/);
		// Components name a colour by what it is for, never by its shade.
		const byShade = files('src', '.svelte').filter((f) =>
			/var\(--colour-(red|dark-red|darker-red|orange|green)\b/.test(readFileSync(f, 'utf8'))
		);
		expect(byShade).toEqual([]);
	});

	it('defines every colour a file asks for', () => {
		const used = new Set(
			[...files('src', '.svelte'), 'src/app.css'].flatMap((file) =>
				[...readFileSync(file, 'utf8').matchAll(/var\((--colour-[\w-]+)/g)].map((m) => m[1])
			)
		);
		expect([...used].filter((name) => !palette.has(name))).toEqual([]);
	});

	it.each(text)('text %s on %s reaches 4.5:1', (fg, bg) => {
		expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
	});

	it.each(marks)('%s against %s reaches 3:1', (mark, bg) => {
		expect(contrast(mark, bg)).toBeGreaterThanOrEqual(3);
	});
});
