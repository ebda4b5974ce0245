/** One call of a translate function, as the server writes it into the page and the browser looks it up. */
export function textKey(lang: string, namespace: string | undefined, args: unknown[]): string {
	return JSON.stringify([lang, namespace ?? '', ...args]);
}

/** The id of the `<script type="application/json">` that carries a page's texts. */
export const PAGE_TEXTS_ID = 'page-texts';
