// `npm test`: type check, unit tests, production build, end-to-end tests in Chromium, in that
// order, stopping at the first failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chrome = process.env.CHROME_PATH ?? '/usr/bin/chromium';
if (!existsSync(chrome)) {
	console.error(
		`\nChromium is missing at ${chrome}; the end-to-end tests need it.\n` +
			"Install Debian's Chromium:  sudo apt-get update && sudo apt-get install -y chromium\n" +
			'or point CHROME_PATH at a Chromium or Chrome binary. (Do not run "npx playwright install": it cannot download here.)\n'
	);
	process.exit(1);
}

const steps = [
	['format and lint', 'prettier --check . && eslint .'],
	[
		'type check',
		'svelte-kit sync && svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --output machine'
	],
	['unit tests', 'vitest run'],
	['production build', 'vite build'],
	['end-to-end tests', 'playwright test']
];

for (const [name, command] of steps) {
	const began = Date.now();
	console.log(`\n▶ ${name}: ${command}`);
	const { status } = spawnSync(command, { stdio: 'inherit', shell: true });
	const seconds = ((Date.now() - began) / 1000).toFixed(1);
	if (status !== 0) {
		console.error(`\n✖ ${name} failed after ${seconds} s`);
		process.exit(status ?? 1);
	}
	console.log(`✔ ${name} passed in ${seconds} s`);
}
