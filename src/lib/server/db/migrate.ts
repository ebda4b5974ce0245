import { Migrator, type MigrationProvider, type MigrationResultSet } from 'kysely/migration';
import { createDatabase, type DatabaseConfig, type Db } from './index';
import { migrations } from './migrations.generated';

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
	const migrator = new Migrator({ db, provider });
	const result = await migrator.migrateToLatest();
	if (result.error) throw result.error;
	return result;
}

/**
 * Migrates as the owner role (`MIGRATION_DATABASE_URL`) when it differs from the app's role, so
 * that the app's own role need not own, and so cannot alter, the tables; else on `db` itself.
 */
export async function migrateAsOwner(db: Db, config: DatabaseConfig): Promise<MigrationResultSet> {
	// PGlite is one connection in this process: the app's own instance is the only way in.
	if (!config.url) return migrateToLatest(db);
	// A connection of its own, without the web server's time limits, which could cancel a long migration.
	const owner = createDatabase({ url: config.migrationUrl || config.url, poolSize: 1 });
	try {
		return await migrateToLatest(owner);
	} finally {
		await owner.destroy();
	}
}
