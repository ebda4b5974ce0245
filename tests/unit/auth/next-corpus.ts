/**
 * `next=` values that try to send a person elsewhere after signing in. Each must, once the
 * Location header we answer is resolved as a browser resolves it (WHATWG URL), stay on our
 * origin. Shared by tests/unit/auth/access.test.ts and tests/e2e/access/next.spec.ts.
 */
export const hostileNext: string[] = [
	'/%09/evil.example',
	'/\\evil.example',
	'\\\\evil.example',
	'\\/evil.example',
	'/\\/evil.example',
	'//evil.example',
	'///evil.example',
	'//evil.example/%2F..',
	'/.//evil.example',
	'/./\\evil.example',
	'/x/..//evil.example',
	'/%2e/%2e//evil.example',
	'https:evil.example',
	'http:evil.example',
	'http:/\\evil.example',
	'https://evil.example/',
	'HTTPS://evil.example',
	'http://localhost@evil.example',
	'//evil.example@localhost',
	'/%2F%2Fevil.example',
	'%2F%2Fevil.example',
	'/%5Cevil.example',
	// Unicode slashes, full stops and backslashes that some parsers fold to ASCII.
	'/\u2215evil.example',
	'/\u2044evil.example',
	'/\uFF0Fevil.example',
	'/\uFF3Cevil.example',
	'/\u3002evil.example',
	'/\uFF0E\uFF0E/evil.example',
	'//evil\u3002example',
	'/\uFF0F/evil.example',
	// Control characters: a browser drops tabs and newlines anywhere, and C0 controls at the ends.
	'/\t/evil.example',
	'/\n/evil.example',
	'/\r/evil.example',
	'/\r\n/evil.example',
	'\t//evil.example',
	'\0//evil.example',
	'/\0/evil.example',
	' //evil.example',
	'\u000B//evil.example',
	'\u001F//evil.example',
	'javascript:alert(1)',
	'JaVaScRiPt:alert(1)',
	'java\tscript:alert(1)',
	'\u0001javascript:alert(1)',
	'data:text/html,<script>alert(1)</script>',
	'vbscript:msgbox(1)',
	'/auth/login',
	'/auth/login?next=//evil.example',
	'/%61uth/login',
	''
];

/** Ours, and kept as asked (resolved against our origin). */
export const friendlyNext: [next: string, location: string][] = [
	['/cases/IND-2026-90000001', '/cases/IND-2026-90000001'],
	['/referent?q=IND&page=2', '/referent?q=IND&page=2'],
	['/account/sessions#devices', '/account/sessions#devices'],
	['/st%61ff/admin', '/st%61ff/admin']
];
