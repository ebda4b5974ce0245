// `npm test`: format and lint, type check and production build side by side, then unit tests,
// then end-to-end tests in Chromium, stopping at the first stage that fails.
import { spawn } from 'node:child_process';
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

/**
 * Each stage's steps run side by side; a stage starts when the one before has passed. The first
 * stage's steps are independent of each other and mostly single-threaded, so on two cores they
 * overlap well. `svelte-kit sync` runs before them, so that the type check and the build (which
 * syncs again, writing only what changed) do not write the generated files at the same time.
 */
const stages = [
	[['generated types', 'svelte-kit sync']],
	[
		['format and lint', 'prettier --check . && eslint .'],
		['type check', 'svelte-check --tsconfig ./tsconfig.json --fail-on-warnings --output machine'],
		['production build', 'vite build']
	],
	[['unit tests', 'vitest run']],
	[['end-to-end tests', 'playwright test']]
];

/**
 * Runs a step. Alone, its output goes straight to ours; beside others, it is held and printed
 * whole when the step ends, so that the steps' lines do not interleave.
 * @param {string} name
 * @param {string} command
 * @param {boolean} alone
 * @returns {Promise<number>} the exit status
 */
function run(name, command, alone) {
	const began = Date.now();
	console.log(`\n▶ ${name}: ${command}`);
	return new Promise((resolve) => {
		const child = spawn(command, {
			stdio: alone ? 'inherit' : ['ignore', 'pipe', 'pipe'],
			shell: true
		});
		/** @type {Buffer[]} */
		const output = [];
		child.stdout?.on('data', (chunk) => output.push(chunk));
		child.stderr?.on('data', (chunk) => output.push(chunk));
		child.on('close', (code, signal) => {
			const seconds = ((Date.now() - began) / 1000).toFixed(1);
			if (!alone) {
				console.log(`\n── output of ${name} ──`);
				process.stdout.write(Buffer.concat(output));
			}
			const status = code ?? (signal ? 1 : 0);
			if (status === 0) console.log(`✔ ${name} passed in ${seconds} s`);
			else console.error(`\n✖ ${name} failed after ${seconds} s`);
			resolve(status);
		});
	});
}

for (const steps of stages) {
	const began = Date.now();
	const statuses = await Promise.all(
		steps.map(([name, command]) => run(name, command, steps.length === 1))
	);
	if (steps.length > 1)
		console.log(
			`(${steps.map(([name]) => name).join(', ')}: ${((Date.now() - began) / 1000).toFixed(1)} s side by side)`
		);
	const failed = statuses.find((status) => status !== 0);
	if (failed !== undefined) process.exit(failed);
}
