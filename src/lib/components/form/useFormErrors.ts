import type { TFunction } from 'i18next';
import { formatDateTime } from '$lib/i18n/format';
import type { FieldError } from '$lib/validation/form';

/** Turns the server's message keys into sentences in the page's language. */
export function translateErrors(t: TFunction, lang: string, errors: FieldError[] | undefined) {
	return (errors ?? []).map((e) => ({
		field: e.field,
		message: t(e.key, {
			...e.params,
			time: e.params?.time ? formatDateTime(lang, String(e.params.time)) : undefined
		})
	}));
}
