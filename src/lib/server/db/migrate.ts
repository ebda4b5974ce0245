import {
	Migrator,
	type Migration,
	type MigrationProvider,
	type MigrationResultSet
} from 'kysely/migration';
import { createDatabase, type DatabaseConfig, type Db } from './index';
import * as createCaseDomain from '../../../../migrations/2026_11_23_000001_create_case_domain';
import * as insertProducts from '../../../../migrations/2026_11_23_000002_insert_products';
import * as createAccounts from '../../../../migrations/2026_11_23_000003_create_accounts';
import * as createQueueDayCount from '../../../../migrations/2026_11_23_000004_create_queue_day_count';
import * as createRateLimit from '../../../../migrations/2026_12_01_000001_create_rate_limit';
import * as createSecondFactor from '../../../../migrations/2026_12_01_000010_create_second_factor';
import * as protectAuditLog from '../../../../migrations/2026_12_01_000020_protect_audit_log';
import * as addApiKeyScopes from '../../../../migrations/2026_12_01_000031_add_api_key_scopes';

// Listed by hand: a file-system provider cannot find the files once Vite has bundled the server.
const migrations: Record<string, Migration> = {
	'2026_11_23_000001_create_case_domain': createCaseDomain,
	'2026_11_23_000002_insert_products': insertProducts,
	'2026_11_23_000003_create_accounts': createAccounts,
	'2026_11_23_000004_create_queue_day_count': createQueueDayCount,
	'2026_12_01_000001_create_rate_limit': createRateLimit,
	'2026_12_01_000010_create_second_factor': createSecondFactor,
	'2026_12_01_000020_protect_audit_log': protectAuditLog,
	'2026_12_01_000031_add_api_key_scopes': addApiKeyScopes
};

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
