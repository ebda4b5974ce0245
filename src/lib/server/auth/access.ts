import { error, redirect } from '@sveltejs/kit';
import { homeOf } from '$lib/access';
import { translator } from '$lib/i18n';
import type { StaffRole } from '$lib/server/db/schema';
import type { Principal } from './principal';

/**
 * The signed-in person a load or action acts for, holding one of `roles` (any role when none
 * are given). Throws a redirect to sign-in when nobody is signed in and 403 when the role is
 * missing. hooks.server.ts already guards every route; this second check keeps a load or action
 * safe should a route ever be guarded wrongly. Actions run before loads: each action calls it.
 */
export function requirePrincipal(locals: App.Locals, ...roles: readonly StaffRole[]): Principal {
	const user = locals.user;
	if (!user) redirect(303, '/auth/login');
	if (roles.length > 0 && !user.roles.some((r) => roles.includes(r.role)))
		error(403, translator(locals.lang)('errors.forbidden'));
	return user;
}

/** The signed-in applicant a load or action acts for; as requirePrincipal, for applicant accounts. */
export function requireApplicant(locals: App.Locals): Principal {
	const user = requirePrincipal(locals);
	if (user.kind !== 'applicant') error(403, translator(locals.lang)('errors.forbidden'));
	return user;
}

function isSignInPage(pathname: string): boolean {
	try {
		const decoded = decodeURIComponent(pathname);
		return decoded === '/auth' || decoded.startsWith('/auth/');
	} catch {
		return true;
	}
}

/**
 * The `next` page, as a path on `origin`, or null when it would leave the origin or is not one
 * of our pages. The value is resolved exactly as a browser resolves a Location header (WHATWG
 * URL), so every trick a string check misses (`/\evil`, `/%09/evil`, `https:evil`, control
 * characters) is judged by the same parser that would follow it; what we return is the parser's
 * own serialisation (ASCII, percent-encoded), checked once more.
 */
export function safeNext(next: string | null | undefined, origin: string): string | null {
	if (!next) return null;
	let url: URL;
	try {
		url = new URL(next, origin);
	} catch {
		return null;
	}
	if (url.origin !== origin) return null;
	const path = url.pathname + url.search + url.hash;
	// '/.//evil.example' resolves to the path '//evil.example', which a browser reads as a host.
	if (!path.startsWith('/') || path.startsWith('//')) return null;
	if (isSignInPage(url.pathname)) return null;
	if (new URL(path, origin).origin !== origin) return null;
	return path;
}

/** Where a person lands after signing in: their `next` page when it is safely ours, else their home. */
export function landingPath(user: Principal, next: string | null, origin: string): string {
	return safeNext(next, origin) ?? homeOf(user);
}
