import { db, databaseConfigFromEnv, isEmbedded } from '$lib/server/db';
import { migrateToLatest } from '$lib/server/db/migrate';
import { createApiKey } from '$lib/server/api-keys/api-key.service';
import { isDatabaseEmpty, seedDemo } from '$lib/server/demo/seed';

let started: Promise<void> | undefined;

/** Migrates, seeds a demo on an empty embedded database, and closes the database on shutdown. */
export function startApp(): Promise<void> {
	started ??= (async () => {
		process.once('sveltekit:shutdown', async () => {
			await db.destroy();
			console.log('Database closed.');
		});
		await migrateToLatest(db);
		const config = databaseConfigFromEnv();
		const origin = process.env.ORIGIN ?? `http://localhost:${process.env.PORT ?? 5173}`;
		if (isEmbedded(config) && process.env.DEMO_SEED !== 'off' && (await isDatabaseEmpty(db))) {
			const began = Date.now();
			console.log('Empty embedded database: generating demo data…');
			const summary = await seedDemo(db, { scale: Number(process.env.DEMO_SCALE ?? 0.02) });
			const { key } = await createApiKey(db, 'demo');
			console.log(
				`Demo ready in ${((Date.now() - began) / 1000).toFixed(1)} s: ${summary.cases} cases, ${summary.events} events.\n` +
					`  Portal:        ${origin}/statistics\n` +
					`  Demo API key:  ${key}   (shown once)`
			);
		} else {
			console.log(`Mijn Aanvraag on ${isEmbedded(config) ? `PGlite (${config.pgliteDir})` : 'PostgreSQL'}: ${origin}/statistics`);
		}
	})();
	return started;
}
