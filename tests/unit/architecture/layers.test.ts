/**
 * The layers, checked on the source: routes call services, services own rules and transactions,
 * only repositories hold SQL, and no two server domains import each other in a cycle. A new
 * domain goes in src/lib/server/<domain>/ with <domain>.service.ts and <domain>.repository.ts.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const serverDir = join(root, 'src/lib/server');

function filesUnder(dir: string, ext = /\.(ts|svelte)$/): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return filesUnder(path, ext);
		return ext.test(name) ? [path] : [];
	});
}

const rel = (path: string) => relative(root, path);

/** Query-builder calls and raw SQL: what only a repository may write. */
const SQL =
	/\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\bsql`|\bsql<|\bsql\.(raw|ref|table|id|lit|join)\(/;

/**
 * Modules that are the database layer itself: the connection, migrations, the job queue's
 * adapter. Everything else that holds SQL is a repository and is named `*.repository.ts`.
 */
const DATABASE_LAYER = ['src/lib/server/db/', 'src/lib/server/jobs/'];

describe('layers', () => {
	it('only repositories (and the database layer itself) hold SQL', () => {
		const offenders = filesUnder(serverDir)
			.filter((f) => !f.endsWith('.repository.ts'))
			.filter((f) => !DATABASE_LAYER.some((d) => rel(f).startsWith(d)))
			.filter((f) => SQL.test(readFileSync(f, 'utf8')))
			.map(rel);
		expect(offenders).toEqual([]);
	});

	it('routes call services, never a repository or the query builder', () => {
		const routes = filesUnder(join(root, 'src/routes')).concat(
			filesUnder(
				join(root, 'src/hooks.server.ts').replace(/hooks\.server\.ts$/, ''),
				/^hooks\.server\.ts$/
			)
		);
		const offenders = routes
			.filter((f) => {
				const text = readFileSync(f, 'utf8');
				return /from '\$lib\/server\/[^']+\.repository'/.test(text) || SQL.test(text);
			})
			.map(rel);
		expect(offenders).toEqual([]);
	});

	it('no import cycle between server domains', () => {
		const domainOf = (path: string) => {
			const inside = relative(serverDir, path);
			return inside.startsWith('..') ? null : inside.split('/')[0].replace(/\.ts$/, '');
		};
		const edges = new Map<string, Set<string>>();
		for (const file of filesUnder(serverDir)) {
			const from = domainOf(file)!;
			const text = readFileSync(file, 'utf8');
			for (const [, spec] of text.matchAll(/from '([^']+)'/g)) {
				let target: string | null = null;
				if (spec.startsWith('$lib/server/'))
					target = spec.slice('$lib/server/'.length).split('/')[0];
				else if (spec.startsWith('.')) target = domainOf(resolve(dirname(file), spec));
				if (!target || target === from) continue;
				if (!edges.has(from)) edges.set(from, new Set());
				edges.get(from)!.add(target);
			}
		}
		// Depth-first search for a back edge; report each cycle as a path.
		const cycles: string[] = [];
		const state = new Map<string, 'open' | 'done'>();
		const stack: string[] = [];
		const visit = (node: string) => {
			state.set(node, 'open');
			stack.push(node);
			for (const next of edges.get(node) ?? []) {
				if (state.get(next) === 'open')
					cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
				else if (!state.has(next)) visit(next);
			}
			stack.pop();
			state.set(node, 'done');
		};
		for (const node of edges.keys()) if (!state.has(node)) visit(node);
		expect(cycles).toEqual([]);
	});
});
