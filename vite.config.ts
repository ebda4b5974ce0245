import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		// A fixed audit key, so tests never generate one under .data/.
		env: { AUDIT_KEY: 'test-audit-key-0123456789abcdef0123456789' },
		// Migrates a PGlite database once and dumps it; tests start their PGlite databases from it.
		globalSetup: ['tests/unit/helpers/global-setup.ts'],
		testTimeout: 60_000,
		hookTimeout: 60_000,
		fileParallelism: true,
		maxWorkers: 2
	}
});
