import { sql, type Kysely } from 'kysely';

/**
 * Web push: the server's VAPID key pair (one row, made on first use) and each device's
 * subscription. A subscription belongs to one account and goes with it.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('push_vapid')
		.addColumn('id', 'boolean', (c) => c.primaryKey().defaultTo(true).check(sql`id`))
		.addColumn('public_key', 'text', (c) => c.notNull())
		.addColumn('private_key', 'text', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createTable('push_subscription')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('user_id', 'integer', (c) =>
			c.notNull().references('app_user.id').onDelete('cascade')
		)
		.addColumn('endpoint', 'text', (c) =>
			c.notNull().unique().check(sql`length(endpoint) between 1 and 2000`)
		)
		.addColumn('p256dh', 'text', (c) => c.notNull())
		.addColumn('auth', 'text', (c) => c.notNull())
		.addColumn('user_agent', 'text')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('last_success_at', 'timestamptz')
		.execute();
	await db.schema
		.createIndex('push_subscription_user_idx')
		.on('push_subscription')
		.column('user_id')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('push_subscription').execute();
	await db.schema.dropTable('push_vapid').execute();
}
