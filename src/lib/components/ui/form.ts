import type { TFunction } from 'i18next';
import { getContext, setContext } from 'svelte';
import { translator } from '$lib/i18n';
import { formatDateTime } from '$lib/i18n/format';
import type { FieldError } from '$lib/validation/form';

/** A field's message in the page's language, as the error summary and the field show it. */
export interface FieldMessage {
	field: string;
	message: string;
}

/** What a page reads from its `form` prop: the server's `{ values, errors }`, translated. */
export interface FormState {
	/** The messages in the order the server gave them, for the error summary. */
	readonly errors: FieldMessage[];
	/** The summary's heading ("There is a problem"). */
	readonly summaryTitle: string;
	/** "Error: " while the form has errors, else empty: the page title starts with it (GOV.UK). */
	readonly titlePrefix: string;
	/** Whether the server sent the values back, that is: a submit failed. */
	readonly submitted: boolean;
	/** The message of one field, if it has one. */
	error(field: string): string | undefined;
	/** What the person sent in a field; before a failed submit, `initial`. Secrets never come back. */
	value(field: string, initial?: string): string;
	/** Whether a checkbox (value "on") was ticked in the failed submit. */
	checked(field: string): boolean;
}

/** Reads `values` and `errors` from any action result; results without them (`{ sent: true }`) have none. */
function partsOf(form: unknown): { values?: Record<string, unknown>; errors: FieldError[] } {
	if (!form || typeof form !== 'object') return { errors: [] };
	const { values, errors } = form as { values?: unknown; errors?: unknown };
	return {
		values: values && typeof values === 'object' ? (values as Record<string, unknown>) : undefined,
		errors: Array.isArray(errors) ? (errors as FieldError[]) : []
	};
}

/** Turns the server's message keys into sentences in the page's language. */
export function translateErrors(t: TFunction, lang: string, errors: FieldError[]): FieldMessage[] {
	return errors.map((e) => ({
		field: e.field,
		message: t(e.key, {
			...e.params,
			time: e.params?.time ? formatDateTime(lang, String(e.params.time)) : undefined
		})
	}));
}

/**
 * The one way a form page reads its errors and values:
 * `const f = $derived(formState(t, data.lang, form))`, then `f.error('email')`, `f.value('email')`.
 * A page in the default namespace has it with its translator from `formPage`.
 */
export function formState(t: TFunction, lang: string, form: unknown): FormState {
	const { values, errors: keys } = partsOf(form);
	const errors = translateErrors(t, lang, keys);
	const messages = new Map<string, string>();
	for (const e of errors) if (!messages.has(e.field)) messages.set(e.field, e.message);
	return {
		errors,
		summaryTitle: t('common:error_summary_title'),
		titlePrefix: errors.length ? t('common:error_prefix') : '',
		submitted: values !== undefined,
		error: (field) => messages.get(field),
		value: (field, initial = '') => {
			if (values === undefined) return initial;
			const v = values[field];
			return typeof v === 'string' ? v : '';
		},
		checked: (field) => values?.[field] === 'on'
	};
}

/**
 * How a form page starts: its translator and its form state, both in the page's language,
 * `const { t, f } = $derived(formPage(data.lang, form))`.
 */
export function formPage(lang: string, form: unknown): { t: TFunction; f: FormState } {
	const t = translator(lang);
	return { t, f: formState(t, lang, form) };
}

const SHARED = Symbol('form state');

/**
 * Puts a form state in scope, so that the Forms and Fields below need no `form` prop. A Form does
 * it for its own fields. A page with several forms and one error summary does it in its
 * script, `shareForm(() => f)`: its Forms take that state and leave the summary to the page's
 * `<ErrorSummary form={f} />`.
 */
export function shareForm(state: () => FormState | undefined): void {
	setContext(SHARED, state);
}

/** The form state in scope, if any, for a component to read while it starts. */
export function sharedForm(): () => FormState | undefined {
	return getContext<(() => FormState | undefined) | undefined>(SHARED) ?? (() => undefined);
}
