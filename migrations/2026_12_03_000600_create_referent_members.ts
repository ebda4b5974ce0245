import { sql, type Kysely } from 'kysely';

/**
 * An erkend referent organisation runs its own colleagues: its administrators invite them by a
 * single-use e-mail link and remove them. The IND records whether the organisation is recognised.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('organisation')
		.addColumn('recognised', 'boolean', (c) => c.notNull().defaultTo(true))
		.execute();

	await db.schema
		.createTable('referent_invitation')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		// The SHA-256 of the link's token: the database never holds a link that works.
		.addColumn('token_hash', 'text', (c) => c.notNull().unique())
		.addColumn('organisation_id', 'integer', (c) =>
			c.notNull().references('organisation.id').onDelete('cascade')
		)
		.addColumn('email', 'text', (c) => c.notNull().check(sql`length(email) between 3 and 254`))
		.addColumn('role', sql`staff_role`, (c) =>
			c.notNull().check(sql`role in ('referent_member', 'referent_admin')`)
		)
		.addColumn('invited_by', 'integer', (c) => c.references('app_user.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('used_at', 'timestamptz')
		.addColumn('used_by', 'integer', (c) =>
			c.references('app_user.id').onDelete('set null')
		)
		.addColumn('revoked_at', 'timestamptz')
		.addCheckConstraint(
			'referent_invitation_used_once',
			sql`used_at is null or revoked_at is null`
		)
		.execute();
	// One live invitation per address and organisation: a new one withdraws the older first.
	await sql`create unique index referent_invitation_live_idx on referent_invitation
		(organisation_id, lower(email)) where used_at is null and revoked_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('referent_invitation').execute();
	await db.schema.alterTable('organisation').dropColumn('recognised').execute();
}
