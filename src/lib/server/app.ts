import { db, databaseConfigFromEnv, isEmbedded } from '$lib/server/db';
import { migrateAsOwner } from '$lib/server/db/migrate';
import { currentAuditKey } from '$lib/server/audit/audit.key';
import { anchorFileFromEnv } from '$lib/server/audit/audit.anchor';
import { API_SCOPES, createApiKey } from '$lib/server/api-keys/api-key.service';
import { isDatabaseEmpty, seedDemo } from '$lib/server/demo/seed';
import { seedDemoAccounts } from '$lib/server/demo/accounts';
import { seedDemoPlanning } from '$lib/server/demo/planning';
import { embeddedDatabaseRefusal, isDemoMode } from '$lib/server/config/mode';
import { sendEmailNudge, startJobs, type Jobs } from '$lib/server/jobs';
import { startSessionCache, stopSessionCache } from '$lib/server/auth/session';

let started: Promise<void> | undefined;
let jobs: Jobs | undefined;

/** Migrates, seeds a demo on an empty embedded database, starts the jobs, and closes all on shutdown. */
export function startApp(): Promise<void> {
	started ??= (async () => {
		process.once('sveltekit:shutdown', async () => {
			await jobs?.stop();
			await stopSessionCache();
			await db.destroy();
			console.log('Database closed.');
		});
		const refusal = embeddedDatabaseRefusal();
		if (refusal) throw new Error(refusal);
		// Refuses to start in production without AUDIT_KEY; the demo generates one under .data/.
		const auditKey = currentAuditKey();
		const config = databaseConfigFromEnv();
		await migrateAsOwner(db, config);
		const embedded = isEmbedded(config);
		const origin = process.env.ORIGIN ?? `http://localhost:${process.env.PORT ?? 5173}`;
		if (isDemoMode() && process.env.DEMO_SEED !== 'off' && (await isDatabaseEmpty(db))) {
			const began = Date.now();
			console.log('Empty embedded database: generating demo data…');
			const summary = await seedDemo(db, { scale: Number(process.env.DEMO_SCALE ?? 0.05) });
			await seedDemoAccounts(db);
			const { key } = await createApiKey(db, { label: 'demo', scopes: API_SCOPES });
			console.log(
				`Demo ready in ${((Date.now() - began) / 1000).toFixed(1)} s: ${summary.cases} cases, ${summary.events} events.\n` +
					`  Portal:        ${origin}/statistics   (demo accounts in README.md, password demo-password)\n` +
					`  Demo API key:  ${key}   (shown once)`
			);
		} else {
			console.log(
				`Mijn Aanvraag on ${embedded ? `PGlite (${config.pgliteDir})` : 'PostgreSQL'}: ${origin}/statistics`
			);
		}
		// The planner's demo tops up its coming weeks at every start (it is safe to run again).
		if (isDemoMode() && process.env.DEMO_SEED !== 'off')
			await seedDemoPlanning(db).catch((e: unknown) =>
				console.warn('Demo planner data not seeded:', e instanceof Error ? e.message : e)
			);
		startSessionCache(config.url);
		jobs = await startJobs(db, {
			embedded,
			smtpUrl: process.env.SMTP_URL || undefined,
			auditAnchor: { key: auditKey, file: anchorFileFromEnv() }
		});
	})();
	return started;
}

/** Asks the e-mail job to deliver what was just queued. */
export const nudgeEmail = sendEmailNudge;
