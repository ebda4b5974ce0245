import type { RequestHandler } from './$types';
import { languages, translator } from '$lib/i18n';

const escape = (text: string) =>
	text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * The page the service worker shows for a page it has not kept, when there is no network. It is
 * fetched once when the service worker installs and shown for any address, so it depends on no
 * cookie: no person, no preferred language. Every language says the same, each in its own section.
 */
export const GET: RequestHandler = () => {
	const sections = languages.map(({ code, dir }) => {
		const t = translator(code);
		return `<section lang="${code}" dir="${dir}">
<h2>${escape(t('offline.page_title'))}</h2>
<p>${escape(t('offline.page_text'))}</p>
<p><a href="/cases">${escape(t('offline.page_cases'))}</a></p>
</section>`;
	});
	const t = translator('nl');
	const html = `<!doctype html>
<html lang="nl" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#154273">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="manifest" href="/manifest.webmanifest">
<title>${escape(t('offline.page_title'))} · ${escape(t('service_name'))}</title>
<style>
body { margin: 0; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; line-height: 1.5; color: #000; background: #fff; }
header { background: #154273; color: #fff; padding: 1rem; }
h1 { margin: 0; font-size: 1.25rem; }
main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
section { border-block-end: 1px solid #ccc; padding-block: 0.5rem 1rem; }
a { color: #154273; display: inline-block; min-height: 44px; padding-block: 0.5rem; }
a:focus-visible { outline: 3px solid #007bc7; outline-offset: 2px; }
</style>
</head>
<body>
<header><h1>${escape(t('service_name'))}</h1></header>
<main>
${sections.join('\n')}
</main>
</body>
</html>
`;
	return new Response(html, {
		headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' }
	});
};
