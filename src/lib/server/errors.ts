/**
 * The one error model. A service that refuses something throws a `DomainError`: a domain, a code
 * from that domain's closed list, and the kind of refusal. It never picks an HTTP status; the
 * mapping to a form failure, a page error or an `application/problem+json` answer lives in one
 * place, `$lib/server/http/errors.ts`, and reads only the kind.
 *
 * Each domain declares its codes once with `defineErrors`, next to its service. A code is its
 * kind alone, or a spec with the field and message key; `onField` gives several codes one field:
 *
 *     export const shopErrors = defineErrors('shop', {
 *       not_found: 'not_found',
 *       sold_out: { kind: 'conflict', field: 'item', key: 'shop:basket.sold_out' },
 *       ...onField('card', { card_declined: 'invalid', card_expired: 'invalid' })
 *     });
 *     throw shopErrors.error('sold_out');
 *
 * A form shows the error at `field` with the translated message `key` (by default
 * `<domain>:errors.<code>`); an API client reads `code` and the English `detail`.
 */

export type ErrorKind =
	/** The input breaks a rule: the person can correct it. */
	| 'invalid'
	/** No valid credentials (a wrong password, a missing API key). */
	| 'unauthenticated'
	/** Signed in, but this person may not do this. */
	| 'forbidden'
	/** It does not exist, or this person may not know that it does. */
	| 'not_found'
	/** It clashes with the current state (taken, already done, the last administrator). */
	| 'conflict'
	/** It existed but is no longer kept. */
	| 'gone'
	/** Well-formed, but it cannot be processed as sent (a request id reused for another thing). */
	| 'unprocessable'
	| 'too_large'
	| 'throttled'
	| 'unavailable'
	| 'method_not_allowed'
	/** A fault of ours, not of the request: only the edge uses it, for what nobody foresaw. */
	| 'internal';

export interface ErrorSpec {
	kind: ErrorKind;
	/** The form field the message belongs to, unless the thrower names another. */
	field?: string;
	/** The i18next key, when it is not `<domain>:errors.<code>`. */
	key?: string;
}

export interface DomainErrorOptions {
	field?: string;
	/** Values the translated message interpolates, e.g. `{ time }`. */
	params?: Record<string, string | number>;
	/** When a throttled or unavailable request may be tried again. */
	retryAt?: Date;
	/** An English sentence for API clients and logs; people read the translated key. */
	detail?: string;
	/** Per-item errors, e.g. one per rejected event of a batch. */
	errors?: ProblemItem[];
}

/** One item of a problem document's `errors` list, the shape the event API has always sent. */
export interface ProblemItem {
	index: number;
	field: string;
	message: string;
	code?: string;
}

export class DomainError<Code extends string = string> extends Error {
	override readonly name = 'DomainError';
	readonly field: string;
	readonly key: string;

	constructor(
		readonly domain: string,
		readonly code: Code,
		readonly kind: ErrorKind,
		readonly options: DomainErrorOptions = {},
		spec: ErrorSpec = { kind }
	) {
		super(options.detail ?? `${domain}.${code}`);
		this.field = options.field ?? spec.field ?? '';
		this.key = spec.key ?? `${domain}:errors.${code}`;
	}

	get params(): Record<string, string | number> | undefined {
		return this.options.params;
	}

	get retryAt(): Date | null {
		return this.options.retryAt ?? null;
	}
}

export interface ErrorCatalogue<Code extends string> {
	readonly domain: string;
	readonly codes: Readonly<Record<Code, ErrorSpec>>;
	error(code: Code, options?: DomainErrorOptions): DomainError<Code>;
	/** True for an error of this domain (and of one of `codes`, when given). */
	is(value: unknown, ...codes: Code[]): value is DomainError<Code>;
}

/** Several codes that belong to one form field, each with its kind. */
export function onField<const Codes extends Record<string, ErrorKind>>(
	field: string,
	codes: Codes
): Record<keyof Codes, ErrorSpec> {
	return Object.fromEntries(
		Object.entries(codes).map(([code, kind]) => [code, { kind, field }])
	) as Record<keyof Codes, ErrorSpec>;
}

export function defineErrors<const Codes extends Record<string, ErrorKind | ErrorSpec>>(
	domain: string,
	declared: Codes
): ErrorCatalogue<Extract<keyof Codes, string>> {
	type Code = Extract<keyof Codes, string>;
	const codes = Object.fromEntries(
		Object.entries(declared).map(([code, spec]) => [
			code,
			typeof spec === 'string' ? { kind: spec } : spec
		])
	) as Record<Code, ErrorSpec>;
	return {
		domain,
		codes,
		error(code: Code, options?: DomainErrorOptions) {
			const spec = codes[code];
			return new DomainError<Code>(domain, code, spec.kind, options, spec);
		},
		is(value: unknown, ...only: Code[]): value is DomainError<Code> {
			return (
				value instanceof DomainError &&
				value.domain === domain &&
				(only.length === 0 || (only as string[]).includes(value.code))
			);
		}
	};
}
