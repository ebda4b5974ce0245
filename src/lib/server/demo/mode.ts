/**
 * Demo mode: the embedded database outside production, or `DEMO_MODE=on` (and never with
 * `DEMO_MODE=off`). Only in demo mode are demo accounts seeded and does the outbox show
 * usable links and codes.
 */
export function isDemoMode(env: NodeJS.ProcessEnv = process.env): boolean {
	if (env.DEMO_MODE === 'on') return true;
	if (env.DEMO_MODE === 'off') return false;
	return !env.DATABASE_URL && env.NODE_ENV !== 'production';
}
