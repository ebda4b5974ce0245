import { fail } from '@sveltejs/kit';
import type { z } from 'zod';

/** A field error as it crosses to the page: the field's id and an i18next key, never a sentence. */
export interface FieldError {
	field: string;
	key: string;
	params?: Record<string, string | number>;
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldError[] };

/** Validates form data with a schema whose messages are i18next keys. */
export function parseForm<S extends z.ZodType>(schema: S, form: FormData): FormResult<z.infer<S>> {
	const raw = Object.fromEntries([...form.keys()].map((k) => [k, form.get(k)]));
	const result = schema.safeParse(raw);
	if (result.success) return { ok: true, data: result.data };
	const seen = new Set<string>();
	const errors: FieldError[] = [];
	for (const issue of result.error.issues) {
		const field = String(issue.path[0] ?? '');
		if (seen.has(field)) continue;
		seen.add(field);
		errors.push({ field, key: issue.message });
	}
	return { ok: false, errors };
}

/** Echoes every value except secrets back to the form. */
export function echo(
	form: FormData,
	secrets: string[] = ['password', 'newPassword', 'code']
): Record<string, string> {
	const values: Record<string, string> = {};
	for (const [key, value] of form)
		if (typeof value === 'string' && !secrets.includes(key)) values[key] = value;
	return values;
}

export function formFailure(
	status: number,
	form: FormData,
	errors: FieldError[],
	secrets?: string[]
) {
	return fail(status, { values: echo(form, secrets), errors });
}
