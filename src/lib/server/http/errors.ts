/**
 * Where a `DomainError` becomes an answer, for every route: a form failure (GOV.UK error summary
 * and field message), a page error, or an RFC 9457 `application/problem+json` document for the API.
 * Routes do not choose status codes; the error's kind does, here.
 */
import { error, fail, isHttpError, isRedirect, type ActionFailure } from '@sveltejs/kit';
import type { z } from 'zod';
import { DomainError, type ErrorKind, type ProblemItem } from '$lib/server/errors';
import { echo, parseForm, type FieldError } from '$lib/validation/form';
import { translator } from '$lib/i18n';

const STATUS: Record<ErrorKind, number> = {
	invalid: 400,
	unauthenticated: 401,
	forbidden: 403,
	not_found: 404,
	method_not_allowed: 405,
	conflict: 409,
	gone: 410,
	unprocessable: 422,
	too_large: 413,
	throttled: 429,
	unavailable: 503,
	internal: 500
};

export function statusOf(kind: ErrorKind): number {
	return STATUS[kind];
}

const TITLES: Record<ErrorKind, string> = {
	invalid: 'The request breaks a rule',
	unauthenticated: 'Authentication required',
	forbidden: 'Not allowed',
	not_found: 'Not found',
	method_not_allowed: 'Method not allowed',
	conflict: 'Conflicts with the current state',
	gone: 'No longer available',
	unprocessable: 'Cannot be processed as sent',
	too_large: 'Too large',
	throttled: 'Too many requests',
	unavailable: 'Temporarily unavailable',
	internal: 'Internal error'
};

/** A problem type is a URI; a tag URI names it without promising a page (RFC 9457 §3.1.1). */
export function problemType(domain: string, code: string): string {
	return `tag:mijn-aanvraag.ind.nl,2026:problem/${domain}/${code}`;
}

function retryAfterSeconds(retryAt: Date | null): number | null {
	if (!retryAt) return null;
	return Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 1000));
}

/**
 * The one JSON error shape of the API. `code` and `errors` are extension members: the case system
 * has always read `errors: [{index, field, message}]`, so every problem carries that list.
 * `members` adds an endpoint's own extension members (the health check's `database`); it cannot
 * replace the standard ones.
 */
export function problemResponse(
	err: DomainError,
	headers: Record<string, string> = {},
	members: Record<string, unknown> = {}
): Response {
	const status = statusOf(err.kind);
	const detail = err.options.detail ?? err.code;
	const errors: ProblemItem[] = err.options.errors ?? [
		{ index: -1, field: err.field, code: err.code, message: detail }
	];
	const retry = retryAfterSeconds(err.retryAt);
	const extra: Record<string, string> = {};
	if (status === 401) extra['WWW-Authenticate'] = 'Bearer';
	if (retry !== null) extra['Retry-After'] = String(retry);
	return new Response(
		JSON.stringify({
			...members,
			type: problemType(err.domain, err.code),
			title: TITLES[err.kind],
			status,
			detail,
			code: err.code,
			errors
		}),
		{
			status,
			headers: {
				'Content-Type': 'application/problem+json',
				'Cache-Control': 'no-store',
				...extra,
				...headers
			}
		}
	);
}

/** Runs an API handler; a `DomainError` it throws becomes a problem document. */
export async function apiHandler(run: () => Promise<Response>): Promise<Response> {
	try {
		return await run();
	} catch (e) {
		if (e instanceof DomainError) return problemResponse(e);
		throw e;
	}
}

/** The form's failure for a domain error: the field's message, the values echoed (secrets never). */
export function formFailure(
	err: DomainError,
	form: FormData,
	secrets?: string[]
): ActionFailure<{ values: Record<string, string>; errors: FieldError[] }> {
	const params = err.retryAt ? { time: err.retryAt.toISOString(), ...err.params } : err.params;
	const fieldError: FieldError = { field: err.field, key: err.key, ...(params ? { params } : {}) };
	return fail(statusOf(err.kind), { values: echo(form, secrets), errors: [fieldError] });
}

/**
 * The field errors of a refusal: one per item when the service named several problems at once
 * (each item's message is a key), else the one error.
 */
export function fieldErrorsOf(err: DomainError): FieldError[] {
	const items = err.options.errors;
	if (items?.length) return items.map((i) => ({ field: i.field, key: i.message }));
	return [{ field: err.field, key: err.key, ...(err.params ? { params: err.params } : {}) }];
}

export interface SubmitOptions {
	/** Fields never echoed back to the page (passwords and codes by default). */
	secrets?: string[];
	/** Errors found outside the schema (checkboxes read apart), shown with the schema's at once. */
	also?: FieldError[];
	/** The order of the fields on the page, for the error summary. */
	fieldOrder?: string[];
}

function inOrder(errors: FieldError[], order?: string[]): FieldError[] {
	if (!order) return errors;
	const rank = (e: FieldError) => (order.includes(e.field) ? order.indexOf(e.field) : order.length);
	return [...errors].sort((a, b) => rank(a) - rank(b));
}

/**
 * A form action's whole preamble in one call: validate with the schema (400 with every field's
 * message), run the service, and turn a `DomainError` into the form's failure. A redirect or an
 * HTTP error thrown inside passes through.
 */
export async function submitForm<S extends z.ZodType, R>(
	form: FormData,
	schema: S,
	run: (data: z.infer<S>) => Promise<R> | R,
	options: SubmitOptions = {}
): Promise<R | ActionFailure<{ values: Record<string, string>; errors: FieldError[] }>> {
	const parsed = parseForm(schema, form);
	const errors = inOrder(
		[...(parsed.ok ? [] : parsed.errors), ...(options.also ?? [])],
		options.fieldOrder
	);
	if (!parsed.ok || errors.length)
		return fail(400, { values: echo(form, options.secrets), errors });
	try {
		return await run(parsed.data);
	} catch (e) {
		if (e instanceof DomainError) return formFailure(e, form, options.secrets);
		throw e;
	}
}

/** For loads: a `DomainError` becomes the page's error (404 page, 403 page…), in the reader's language. */
export function pageError(e: unknown, lang: string): never {
	if (isRedirect(e) || isHttpError(e) || !(e instanceof DomainError)) throw e;
	error(statusOf(e.kind), { message: translator(lang)(e.key, e.params ?? {}), code: e.code });
}

/** Runs a load's work and maps a `DomainError` with `pageError`. */
export async function loadOrError<T>(lang: string, run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (e) {
		pageError(e, lang);
	}
}
