import { defineConfig, devices } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 4173);
export const baseURL = `http://localhost:${port}`;

/** Debian's Chromium as root, on a machine without outside network (also for the weight bench). */
export const chromiumFlags = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync'
];

export default defineConfig({
	testDir: 'tests/e2e',
	fullyParallel: false,
	workers: 1,
	retries: 0,
	timeout: 30_000,
	reporter: [['list']],
	use: {
		baseURL,
		launchOptions: {
			executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
			args: chromiumFlags
		}
	},
	projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
	webServer: {
		// Prepares a fresh database (PostgreSQL when E2E_DATABASE_URL is set, else PGlite) with a small
		// demo and an API key, then starts the production build on it.
		command: 'tsx tests/e2e/support/serve.ts',
		url: `${baseURL}/api/health`,
		timeout: 120_000,
		reuseExistingServer: false,
		stdout: 'pipe',
		env: { PORT: String(port), ORIGIN: baseURL }
	}
});
