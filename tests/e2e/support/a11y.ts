import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/**
 * axe with the WCAG 2.0–2.2 A and AA rules; any violation fails the test with its details.
 *
 * In axe's legacy mode: `axe.run` in the page itself, the same rules with the same results, in
 * half the time. The default mode runs axe per frame and then opens a blank page in the context,
 * loads axe into it again and assembles the frames' results there, so that frames from other
 * origins can be tested too; the app has no frames.
 */
export async function expectNoAxeViolations(page: Page): Promise<void> {
	const results = await new AxeBuilder({ page })
		.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
		.setLegacyMode(true)
		.analyze();
	// Legacy mode cannot look into a frame from another origin: such a frame fails the test.
	const origin = new URL(page.url()).origin;
	const foreign = page
		.frames()
		.map((frame) => frame.url())
		.filter((url) => /^https?:/.test(url) && new URL(url).origin !== origin);
	expect(foreign, `frames from other origins on ${page.url()}, which axe did not test`).toEqual([]);
	const summary = results.violations.map(
		(v) =>
			`${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`
	);
	expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

/**
 * axe for a page opened without JavaScript. axe is a script, so it cannot run in that page: the
 * page's document as the person got it is shown, without its scripts, at the same address in a
 * page that may run axe, so that its styles load and axe sees exactly what they saw.
 */
export async function expectNoAxeViolationsWithoutJs(page: Page): Promise<void> {
	const url = page.url();
	const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
	const context = await page.context().browser()!.newContext({ viewport: page.viewportSize() });
	try {
		const copy = await context.newPage();
		await copy.route(url, (route) =>
			route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html })
		);
		await copy.goto(url);
		await expectNoAxeViolations(copy);
	} finally {
		await context.close();
	}
}
