import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Db } from '$lib/server/db';
import { migrateAsOwner } from '$lib/server/db/migrate';
import { recordAudit, verifyAuditChain } from '$lib/server/audit/audit.service';
import { currentAuditKey } from '$lib/server/audit/audit.key';
import { startJobs } from '$lib/server/jobs';
import { engines } from '../helpers/engines';

const postgres = engines.find((e) => e.name === 'postgres');
const actor = { userId: null, role: 'admin', ip: '127.0.0.1' };

/** The app connected as a login role that holds only mijn_aanvraag_app, as an operator sets it up. */
describe.skipIf(!postgres)('audit log against the app database role [postgres]', () => {
	const role = `audit_app_${randomBytes(5).toString('hex')}`;
	let owner: Awaited<ReturnType<NonNullable<typeof postgres>['create']>>;
	let app: Db;
	let appUrl: string;
	let ownerUrl: string;

	async function superuser(statement: string) {
		const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
		await client.connect();
		try {
			await client.query(statement);
		} finally {
			await client.end();
		}
	}

	beforeAll(async () => {
		owner = await postgres!.create();
		const name = (await sql<{ db: string }>`select current_database() as db`.execute(owner.db))
			.rows[0].db;
		// Role names are cluster-wide: a random one, so that parallel test files do not meet.
		await superuser(`create role ${role} login in role mijn_aanvraag_app`);
		const url = new URL(process.env.TEST_DATABASE_URL!);
		url.pathname = `/${name}`;
		ownerUrl = url.toString();
		url.username = role;
		appUrl = url.toString();
		app = createDatabase({ url: appUrl, poolSize: 4 });
	});

	afterAll(async () => {
		await app?.destroy();
		await owner?.drop();
		await superuser(`drop role if exists ${role}`);
	});

	it('connects as a role that does not own the audit tables', async () => {
		const { rows } = await sql<{ me: string; owner: string; member: boolean }>`
			select current_user as me, tableowner as owner, pg_has_role(current_user, tableowner, 'member') as member
			from pg_tables where tablename = 'audit_event'`.execute(app);
		expect(rows[0].me).toBe(role);
		expect(rows[0].member).toBe(false);
	});

	it('appends and reads the log as the app', async () => {
		for (let i = 0; i < 3; i++)
			await recordAudit(app, actor, { action: 'admin.roles_changed', subject: `user:${i}` });
		expect(await verifyAuditChain(app)).toEqual({ rows: 3, problems: [], unkeyedRows: 0 });
	});

	it('cannot update, delete or truncate the audit tables', async () => {
		await expect(
			sql`update audit_event set reason = 'x' where id = 1`.execute(app)
		).rejects.toThrow(/permission denied for table audit_event/);
		await expect(sql`delete from audit_event where id = 3`.execute(app)).rejects.toThrow(
			/permission denied for table audit_event/
		);
		await expect(sql`truncate audit_event`.execute(app)).rejects.toThrow(
			/permission denied for table audit_event/
		);
		await expect(sql`delete from audit_head`.execute(app)).rejects.toThrow(
			/permission denied for table audit_head/
		);
		await expect(sql`truncate audit_head`.execute(app)).rejects.toThrow(
			/permission denied for table audit_head/
		);
		// The head it may upsert moves only forward.
		await expect(sql`update audit_head set last_id = 1`.execute(app)).rejects.toThrow(
			/only moves forward/
		);
	});

	it('cannot drop, disable or get past the triggers, nor alter the tables', async () => {
		await expect(
			sql`drop trigger audit_event_append_only on audit_event`.execute(app)
		).rejects.toThrow(/must be owner/);
		await expect(
			sql`drop trigger audit_event_no_truncate on audit_event`.execute(app)
		).rejects.toThrow(/must be owner/);
		await expect(
			sql`alter table audit_event disable trigger audit_event_append_only`.execute(app)
		).rejects.toThrow(/must be owner/);
		await expect(sql`alter table audit_event disable trigger all`.execute(app)).rejects.toThrow(
			/must be owner/
		);
		await expect(sql`alter table audit_event add column note text`.execute(app)).rejects.toThrow(
			/must be owner/
		);
		await expect(sql`drop table audit_event`.execute(app)).rejects.toThrow(/must be owner/);
		await expect(
			sql`create or replace function forbid_change() returns trigger language plpgsql as $$ begin return new; end $$`.execute(
				app
			)
		).rejects.toThrow(/must be owner|permission denied/);
		await expect(sql`set session_replication_role = replica`.execute(app)).rejects.toThrow(
			/permission denied/
		);
		await expect(
			sql`grant update on audit_event to ${sql.id(role)}`.execute(app)
		).resolves.toBeDefined();
		// A grant by a non-owner gives nothing ("no privileges were granted"):
		await expect(
			sql`update audit_event set reason = 'x' where id = 1`.execute(app)
		).rejects.toThrow(/permission denied/);
		expect((await verifyAuditChain(app)).problems).toEqual([]);
	});

	it('still does its other work: reads and writes the other tables, and runs pg-boss with the anchor job', async () => {
		const email = `role-${randomBytes(4).toString('hex')}@test.example`;
		await app
			.insertInto('email_outbox')
			.values({ to_address: email, subject: 's', body_text: 'b' })
			.execute();
		await app
			.updateTable('email_outbox')
			.set({ attempts: 1 })
			.where('to_address', '=', email)
			.execute();
		await app.deleteFrom('email_outbox').where('to_address', '=', email).execute();
		const lines: string[] = [];
		const log = console.log;
		console.log = (line: unknown, ...rest: unknown[]) =>
			typeof line === 'string' && line.startsWith('audit-anchor')
				? lines.push(line)
				: log(line, ...rest);
		try {
			const jobs = await startJobs(app, {
				embedded: false,
				auditAnchor: { key: currentAuditKey(), file: null }
			});
			await jobs.stop();
		} finally {
			console.log = log;
		}
		expect(lines).toHaveLength(1);
		expect(JSON.parse(lines[0].slice('audit-anchor '.length))).toMatchObject({
			rows: 3,
			lastId: 3
		});
	});

	it('migrates as the owner when the app has nothing to migrate itself', async () => {
		const result = await migrateAsOwner(app, { url: appUrl, migrationUrl: ownerUrl });
		expect(result.error).toBeUndefined();
		await expect(sql`create table not_the_apps (id int)`.execute(app)).rejects.toThrow(
			/permission denied for schema public/
		);
	});
});
