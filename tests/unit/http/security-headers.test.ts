import { expect, test } from 'vitest';
import { securityHeaders } from '$lib/server/http/security-headers';

test('HSTS is sent whenever the portal is reached over https, whatever NODE_ENV says', () => {
	const before = process.env.NODE_ENV;
	try {
		for (const env of ['production', 'development', 'test']) {
			process.env.NODE_ENV = env;
			expect(
				securityHeaders(new URL('https://mijn-aanvraag.example/cases'))['Strict-Transport-Security']
			).toBe('max-age=31536000; includeSubDomains');
		}
	} finally {
		process.env.NODE_ENV = before;
	}
});

test('no HSTS over plain http (a browser ignores it there, and localhost must stay reachable)', () => {
	const headers = securityHeaders(new URL('http://localhost:3000/'));
	expect(headers['Strict-Transport-Security']).toBeUndefined();
	expect(headers['X-Content-Type-Options']).toBe('nosniff');
});
