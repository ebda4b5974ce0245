/**
 * The origin that links in e-mail start with: the configured ORIGIN, never the request's Host
 * header, which anyone can forge to make the portal mail a link to their own site. Only in
 * development, without ORIGIN, the request's own origin is used.
 */
export function publicOrigin(requestUrl: URL, env: NodeJS.ProcessEnv = process.env): string {
	if (env.ORIGIN) return new URL(env.ORIGIN).origin;
	if (env.NODE_ENV === 'production')
		throw new Error('Set ORIGIN: links in e-mail are built from it');
	return requestUrl.origin;
}
