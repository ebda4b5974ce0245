// Runs the production build as several app instances sharing one port, as several instances
// behind a load balancer would (they keep no state). PostgreSQL only: PGlite is one process's.
import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const instances = Number(process.env.INSTANCES ?? 2);
if (cluster.isPrimary) {
	for (let i = 0; i < instances; i++) cluster.fork();
	process.on('SIGTERM', () => {
		for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
		setTimeout(() => process.exit(0), 3000).unref();
	});
} else {
	await import(pathToFileURL(resolve('build/index.js')).href);
}
