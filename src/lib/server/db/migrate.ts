import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely/migration';
import type { Db } from './index';
import * as createCaseDomain from '../../../../migrations/2026_11_23_000001_create_case_domain';
import * as insertProducts from '../../../../migrations/2026_11_23_000002_insert_products';
import * as createAccounts from '../../../../migrations/2026_11_23_000003_create_accounts';
import * as createQueueDayCount from '../../../../migrations/2026_11_23_000004_create_queue_day_count';
import * as createRateLimit from '../../../../migrations/2026_12_01_000001_create_rate_limit';
import * as createSecondFactor from '../../../../migrations/2026_12_01_000010_create_second_factor';

// Listed by hand: a file-system provider cannot find the files once Vite has bundled the server.
const migrations: Record<string, Migration> = {
	'2026_11_23_000001_create_case_domain': createCaseDomain,
	'2026_11_23_000002_insert_products': insertProducts,
	'2026_11_23_000003_create_accounts': createAccounts,
	'2026_11_23_000004_create_queue_day_count': createQueueDayCount,
	'2026_12_01_000001_create_rate_limit': createRateLimit,
	'2026_12_01_000010_create_second_factor': createSecondFactor
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
	const migrator = new Migrator({ db, provider });
	const result = await migrator.migrateToLatest();
	if (result.error) throw result.error;
	return result;
}
