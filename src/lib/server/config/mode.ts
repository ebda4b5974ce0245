/**
 * Demo mode: the shared demo password, the demo accounts, the printed API key and readable links
 * in the outbox. Only on the embedded database outside production, or when asked for explicitly
 * with DEMO_MODE=on; DEMO_MODE=off turns it off everywhere.
 */
export function isDemoMode(env: NodeJS.ProcessEnv = process.env): boolean {
	if (env.DEMO_MODE === 'on') return true;
	if (env.DEMO_MODE === 'off') return false;
	return !env.DATABASE_URL && env.NODE_ENV !== 'production';
}

/**
 * Production runs on a real PostgreSQL server: an embedded database there is a mistake (one
 * process, data in a local folder) unless an operator says so with ALLOW_EMBEDDED_DATABASE=yes.
 * Returns the reason to refuse start-up, or null.
 */
export function embeddedDatabaseRefusal(env: NodeJS.ProcessEnv = process.env): string | null {
	if (env.DATABASE_URL || env.NODE_ENV !== 'production' || env.ALLOW_EMBEDDED_DATABASE === 'yes')
		return null;
	return (
		'Refusing to start: NODE_ENV=production without DATABASE_URL would run on the embedded database. ' +
		'Set DATABASE_URL to your PostgreSQL server, or ALLOW_EMBEDDED_DATABASE=yes if you really mean it.'
	);
}
