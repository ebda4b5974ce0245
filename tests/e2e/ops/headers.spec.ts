import { expect, test } from '@playwright/test';
import { signIn } from '../support/auth';

test('pages carry a strict Content-Security-Policy and the other security headers', async ({
	request
}) => {
	const response = await request.get('/statistics');
	const headers = response.headers();
	const csp = headers['content-security-policy'];
	expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
	expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
	expect(csp).toContain("frame-ancestors 'none'");
	expect(csp).toContain("object-src 'none'");
	expect(headers['x-content-type-options']).toBe('nosniff');
	expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
	expect(headers['permissions-policy']).toContain('camera=()');
});

test('the session cookie is HttpOnly and SameSite=Lax, and personal pages are never cached', async ({
	page,
	context
}) => {
	await signIn(page, 'applicant@demo.test');
	const cookie = (await context.cookies()).find((c) => c.name === 'session');
	expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
	const response = await page.goto('/cases');
	expect(response?.headers()['cache-control']).toBe('private, no-store');
});
