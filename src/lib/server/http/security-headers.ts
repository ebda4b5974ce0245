/** Headers every response carries; the CSP comes from svelte.config.js. */
export function securityHeaders(url: URL): Record<string, string> {
	const headers: Record<string, string> = {
		'X-Content-Type-Options': 'nosniff',
		'Referrer-Policy': 'strict-origin-when-cross-origin',
		'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()'
	};
	// Whenever the portal is reached over https, whatever NODE_ENV says: a staging server over
	// https deserves the same protection against a downgrade.
	if (url.protocol === 'https:')
		headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
	return headers;
}
