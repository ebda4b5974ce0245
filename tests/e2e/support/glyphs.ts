import type { Page } from '@playwright/test';

/**
 * The visible characters of a page that Chromium draws as a box, because no installed font has
 * them. Each character is drawn on a canvas in the font of its element and compared, pixel for
 * pixel, with a character no font has (U+10FFFD, private use): Chromium draws both as the same
 * .notdef box. Characters that draw nothing (spaces, joiners, direction marks) are skipped.
 */
export async function missingGlyphs(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const size = 64;
		const canvas = document.createElement('canvas');
		canvas.width = canvas.height = size;
		const context = canvas.getContext('2d', { willReadFrequently: true })!;
		const draw = (font: string, text: string) => {
			context.clearRect(0, 0, size, size);
			context.font = font;
			context.textBaseline = 'middle';
			context.fillText(text, 8, size / 2);
			return context.getImageData(0, 0, size, size).data;
		};
		const alpha = (data: Uint8ClampedArray) => data.filter((_, i) => i % 4 === 3);
		const same = (a: Uint8ClampedArray, b: Uint8ClampedArray) => a.every((v, i) => v === b[i]);

		const byFont = new Map<string, Set<string>>();
		const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			const element = node.parentElement;
			if (!element || element.closest('script, style, title')) continue;
			if (!element.checkVisibility({ visibilityProperty: true })) continue;
			const style = getComputedStyle(element);
			const font = `${style.fontStyle} ${style.fontWeight} 40px ${style.fontFamily}`;
			let chars = byFont.get(font);
			if (!chars) byFont.set(font, (chars = new Set()));
			for (const char of (node as Text).data) if (!/[\s\p{Cc}\p{Cf}]/u.test(char)) chars.add(char);
		}
		const missing = new Set<string>();
		for (const [font, chars] of byFont) {
			const box = alpha(draw(font, String.fromCodePoint(0x10fffd)));
			if (!box.some((v) => v > 0)) throw new Error(`no box to compare with in ${font}`);
			for (const char of chars) if (same(alpha(draw(font, char)), box)) missing.add(char);
		}
		return [...missing].map(
			(c) => `${c} U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
		);
	});
}
