import { z } from 'zod';

/**
 * An e-mail address field, with its messages in the form's own namespace (`auth:errors.…` or
 * `admin:errors.…`): required, at most 254 characters (RFC 5321), and shaped like an address.
 */
export function emailField(namespace: 'auth' | 'admin' | 'referent:members') {
	return z
		.string()
		.trim()
		.min(1, `${namespace}:errors.email_required`)
		.max(254, `${namespace}:errors.email_invalid`)
		.pipe(z.email(`${namespace}:errors.email_invalid`));
}
