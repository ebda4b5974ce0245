/**
 * Runs one benchmark: `npm run bench -- <name>` imports `./<name>.ts` and awaits its default
 * export. Benchmarks print their figures; they are never part of `npm test`.
 */
import { tsImport } from 'tsx/esm/api';

const name = process.argv[2];
if (!name || !/^[\w-]+$/.test(name)) {
	console.error('usage: npm run bench -- <name>   (a file tests/bench/<name>.ts)');
	process.exit(2);
}
// Through tsx, so that a bench and the source it imports load the same under plain Node.
const bench: { default?: () => Promise<void> } = await tsImport(`./${name}.ts`, import.meta.url);
if (typeof bench.default !== 'function') {
	console.error(`tests/bench/${name}.ts has no default export to run`);
	process.exit(2);
}
await bench.default();
