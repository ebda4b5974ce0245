import { expect, it } from 'vitest';
import { sql, type Transaction } from 'kysely';
import {
	GENESIS_HASH,
	auditHash,
	chainPendingAudit,
	recordAudit,
	recordAuditAfterCommit,
	verifyAuditChain
} from '$lib/server/audit/audit.service';
import { currentAnchor, newestAnchorIn } from '$lib/server/audit/audit.anchor';
import { startJobs } from '$lib/server/jobs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditKeyFrom, currentAuditKey } from '$lib/server/audit/audit.key';
import type { Database, Db } from '$lib/server/db';
import { describeEachEngine } from '../helpers/engines';

const actor = { userId: null, role: 'counter', desk: 'Den Haag', ip: '127.0.0.1' };

/** As the tables' owner would, past the triggers: what someone with full database access can do. */
function asOwnerPastTriggers(db: Db, work: (trx: Transaction<Database>) => Promise<unknown>) {
	return db.transaction().execute(async (trx) => {
		await sql`set local session_replication_role = replica`.execute(trx);
		await work(trx);
	});
}

/** Recomputes every hash from the first changed row on, with plain SHA-256: the attacker has no key. */
async function recomputeWithoutKey(
	trx: Transaction<Database>,
	options: { dropKeyId: boolean; fromId?: number }
) {
	const rows = await trx.selectFrom('audit_event').selectAll().orderBy('id').execute();
	let prev = GENESIS_HASH;
	for (const row of rows) {
		if (row.id < (options.fromId ?? 1)) {
			prev = row.hash;
			continue;
		}
		const keyId = options.dropKeyId ? null : row.key_id;
		// With key_id kept, the attacker's best guess is the unkeyed rule under the row's own key id.
		const forged = auditHash({ ...row, prev_hash: prev, key_id: null }, currentAuditKey());
		await trx
			.updateTable('audit_event')
			.set({ prev_hash: prev, hash: forged, key_id: keyId })
			.where('id', '=', row.id)
			.execute();
		prev = forged;
	}
	await trx
		.updateTable('audit_head')
		.set({ last_id: rows.at(-1)!.id, last_hash: prev })
		.execute();
}

describeEachEngine('audit log', ({ db }) => {
	async function tamper(statement: ReturnType<typeof sql>) {
		await sql`alter table audit_event disable trigger audit_event_append_only`.execute(db());
		await statement.execute(db());
		await sql`alter table audit_event enable trigger audit_event_append_only`.execute(db());
	}

	it('chains rows so that the log verifies', async () => {
		for (let i = 0; i < 5; i++)
			await recordAudit(db(), actor, {
				action: 'case.read',
				subject: `case:${i}`,
				reason: 'applicant at the desk',
				details: { b: 1, a: [2, { z: 1, y: 2 }] }
			});
		expect(await verifyAuditChain(db())).toEqual({ rows: 5, problems: [], unkeyedRows: 0 });
	});

	it('keeps concurrent writers on one chain', async () => {
		await Promise.all(
			Array.from({ length: 20 }, (_, i) =>
				recordAudit(db(), actor, { action: 'case.read', subject: `case:c${i}` })
			)
		);
		expect((await verifyAuditChain(db())).problems).toEqual([]);
	});

	it('refuses updates and deletes', async () => {
		await expect(
			db().updateTable('audit_event').set({ reason: 'x' }).where('id', '=', 1).execute()
		).rejects.toThrow(/append-only/);
		await expect(db().deleteFrom('audit_event').where('id', '=', 1).execute()).rejects.toThrow(
			/append-only/
		);
	});

	it('refuses TRUNCATE of the audit tables', async () => {
		await expect(sql`truncate audit_event`.execute(db())).rejects.toThrow(
			/audit_event is append-only/
		);
		await expect(sql`truncate audit_head`.execute(db())).rejects.toThrow(
			/audit_head is append-only/
		);
		await expect(sql`truncate audit_event, audit_head`.execute(db())).rejects.toThrow(
			/append-only/
		);
		expect((await verifyAuditChain(db())).rows).toBe(25);
	});

	it('lets the head only move forward, to a row that exists', async () => {
		const head = await db().selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
		await expect(
			db()
				.updateTable('audit_head')
				.set({ last_id: head.last_id - 1 })
				.execute()
		).rejects.toThrow(/only moves forward/);
		await expect(
			db()
				.updateTable('audit_head')
				.set({ last_id: head.last_id + 5 })
				.execute()
		).rejects.toThrow(/must point at an audit row/);
		await expect(db().deleteFrom('audit_head').execute()).rejects.toThrow(/append-only/);
	});

	it('authenticates rows with the audit key: another key does not verify them', async () => {
		const rows = await db().selectFrom('audit_event').select(['key_id']).distinct().execute();
		expect(rows).toEqual([{ key_id: currentAuditKey().id }]);
		const other = auditKeyFrom('another-key-that-the-attacker-made-up-0000');
		const { problems } = await verifyAuditChain(db(), { key: other });
		expect(problems).toHaveLength(25);
		expect(new Set(problems.map((p) => p.problem))).toEqual(new Set(['unknown_key']));
	});

	it('detects a changed row', async () => {
		await tamper(sql`update audit_event set reason = 'nothing to see' where id = 2`);
		expect((await verifyAuditChain(db())).problems).toContainEqual({ id: 2, problem: 'changed' });
	});

	it('detects a deleted row in the middle and at the end', async () => {
		await tamper(sql`delete from audit_event where id = 4`);
		const max = (
			await db()
				.selectFrom('audit_event')
				.select((eb) => eb.fn.max('id').as('id'))
				.executeTakeFirstOrThrow()
		).id;
		await tamper(sql`delete from audit_event where id = ${max}`);
		const { problems } = await verifyAuditChain(db());
		expect(problems).toContainEqual({ id: 5, problem: 'missing_before' });
		expect(problems.some((p) => p.problem === 'missing_after')).toBe(true);
	});
});

describeEachEngine('audit rows recorded after commit', ({ db }) => {
	it('chains rows recorded after commit once each, in order; a rolled-back one never', async () => {
		const logged = async () =>
			(
				await db()
					.selectFrom('audit_event')
					.select('subject')
					.where('subject', 'like', 'later:%')
					.orderBy('id')
					.execute()
			).map((r) => r.subject);
		const later = (subject: string) =>
			db()
				.transaction()
				.execute((trx) =>
					recordAuditAfterCommit(trx, actor, { action: 'planning.booked', subject })
				);
		await later('later:first');
		await db()
			.transaction()
			.execute(async (trx) => {
				await recordAuditAfterCommit(trx, actor, {
					action: 'planning.booked',
					subject: 'later:undone'
				});
				throw new Error('rolled back');
			})
			.catch(() => undefined);
		await recordAudit(db(), actor, { action: 'case.read', subject: 'later:at-once' });
		await later('later:second');
		expect(await logged()).toEqual(['later:at-once']);

		// Two servers chaining at the same moment, a row per batch.
		const chained = await Promise.all([chainPendingAudit(db(), 1), chainPendingAudit(db(), 1)]);
		expect(chained[0] + chained[1]).toBe(2);
		expect(await logged()).toEqual(['later:at-once', 'later:first', 'later:second']);
		expect(await db().selectFrom('audit_pending').select('id').execute()).toEqual([]);
		expect((await verifyAuditChain(db())).problems).toEqual([]);
	});
});

describeEachEngine('audit log written before the key, and rewritten without it', ({ db }) => {
	it('hashes a row of the old rule exactly as before the key existed', () => {
		// Computed with the audit service as it was before AUDIT_KEY (plain SHA-256).
		const row = {
			id: 1,
			at: new Date('2026-11-30T10:00:00.000Z'),
			actor_user_id: 7,
			actor_role: 'counter',
			actor_organisation: null,
			actor_desk: 'Den Haag',
			action: 'case.read',
			case_id: 3,
			subject: 'case:IND-1',
			reason: 'at the desk',
			ip: '127.0.0.1',
			details: { b: 1, a: 2 },
			prev_hash: GENESIS_HASH,
			key_id: null
		};
		expect(auditHash(row, currentAuditKey())).toBe(
			'5138f3bd209de51b1657367c35727be62f55b32c37f70690a82b388c394c04b3'
		);
		expect(auditHash({ ...row, key_id: currentAuditKey().id }, currentAuditKey())).not.toBe(
			'5138f3bd209de51b1657367c35727be62f55b32c37f70690a82b388c394c04b3'
		);
	});

	it('verifies rows of the old unkeyed rule by that rule and reports them as such', async () => {
		let prev = GENESIS_HASH;
		for (let id = 1; id <= 3; id++) {
			const row = {
				id,
				at: new Date(Date.UTC(2026, 10, id)),
				actor_user_id: null,
				actor_role: 'counter',
				actor_organisation: null,
				actor_desk: null,
				action: 'case.read',
				case_id: null,
				subject: `case:old${id}`,
				reason: 'old',
				ip: null,
				details: {},
				prev_hash: prev,
				key_id: null
			};
			const hash = auditHash(row, currentAuditKey());
			await db()
				.insertInto('audit_event')
				.values({ ...row, details: '{}', hash })
				.execute();
			await db()
				.insertInto('audit_head')
				.values({ singleton: true, last_id: id, last_hash: hash })
				.onConflict((oc) => oc.column('singleton').doUpdateSet({ last_id: id, last_hash: hash }))
				.execute();
			prev = hash;
		}
		for (let i = 0; i < 3; i++)
			await recordAudit(db(), actor, { action: 'case.read', subject: `case:new${i}` });
		expect(await verifyAuditChain(db())).toEqual({ rows: 6, problems: [], unkeyedRows: 3 });
	});

	it('fails a chain that someone with only database access recomputed without the key', async () => {
		const anchor = await currentAnchor(db(), currentAuditKey());

		// Rewrites row 5 and recomputes the chain after it with SHA-256, keeping the key ids.
		await asOwnerPastTriggers(db(), async (trx) => {
			await trx
				.updateTable('audit_event')
				.set({ subject: 'case:someone-else' })
				.where('id', '=', 5)
				.execute();
			await recomputeWithoutKey(trx, { dropKeyId: false, fromId: 5 });
		});
		let result = await verifyAuditChain(db());
		expect(result.problems).toEqual([
			{ id: 5, problem: 'changed' },
			{ id: 6, problem: 'changed' }
		]);

		// Also drops the key ids of the recomputed rows: they come after keyed rows, so they were downgraded.
		await asOwnerPastTriggers(db(), (trx) =>
			recomputeWithoutKey(trx, { dropKeyId: true, fromId: 5 })
		);
		result = await verifyAuditChain(db());
		expect(result.problems).toEqual([
			{ id: 5, problem: 'downgraded' },
			{ id: 6, problem: 'downgraded' }
		]);

		// Drops every key id: the whole log now looks like the old rule. It is reported as such, and the
		// anchor written outside the database no longer matches.
		await asOwnerPastTriggers(db(), (trx) => recomputeWithoutKey(trx, { dropKeyId: true }));
		result = await verifyAuditChain(db());
		expect(result.unkeyedRows).toBe(6);
		expect((await verifyAuditChain(db(), { anchor })).problems).toEqual([
			{ id: 6, problem: 'anchor_differs' }
		]);
	});
});

describeEachEngine('audit verification while rows are written', ({ db, engine }) => {
	it('reads one snapshot: no false alarm while other connections append', async () => {
		for (let i = 0; i < 60; i++)
			await recordAudit(db(), actor, { action: 'case.read', subject: `case:pre${i}` });
		let writing = true;
		let written = 0;
		const writer = async () => {
			while (writing) {
				await recordAudit(db(), actor, { action: 'case.read', subject: `case:live${written}` });
				written += 1;
			}
		};
		const writers = [writer(), writer()];
		const runs = [];
		try {
			for (let i = 0; i < 15; i++) runs.push(await verifyAuditChain(db(), { batchSize: 7 }));
		} finally {
			writing = false;
			await Promise.all(writers);
		}
		console.log(
			`[${engine}] 15 verifications while ${written} rows were written; rows seen ${runs[0].rows}…${runs.at(-1)!.rows}`
		);
		expect(written).toBeGreaterThan(0);
		expect(runs.flatMap((r) => r.problems)).toEqual([]);
		expect((await verifyAuditChain(db())).problems).toEqual([]);
	});
});

describeEachEngine('audit anchor job', ({ db, engine }) => {
	it('writes the head outside the database when the jobs start, as a log line and to the anchor file', async () => {
		for (let i = 0; i < 4; i++)
			await recordAudit(db(), actor, { action: 'case.read', subject: `case:anchor${i}` });
		const dir = mkdtempSync(join(tmpdir(), 'audit-anchor-'));
		const file = join(dir, 'audit-anchor.log');
		const lines: string[] = [];
		const log = console.log;
		console.log = (line: unknown, ...rest: unknown[]) =>
			typeof line === 'string' && line.startsWith('audit-anchor ')
				? lines.push(line)
				: log(line, ...rest);
		try {
			const jobs = await startJobs(db(), {
				embedded: engine === 'pglite',
				auditAnchor: { key: currentAuditKey(), file }
			});
			await jobs.stop();
			const anchor = newestAnchorIn(file)!;
			expect(anchor).toMatchObject({ rows: 4, lastId: 4, keyId: currentAuditKey().id });
			expect(lines).toEqual([readFileSync(file, 'utf8').trim()]);
			expect((await verifyAuditChain(db(), { anchor })).problems).toEqual([]);
		} finally {
			console.log = log;
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describeEachEngine('an empty audit chain started by two servers at once', ({ db, engine }) => {
	// One connection cannot hold two transactions: PGlite would wait for itself.
	it.skipIf(engine === 'pglite')(
		'writes both first rows, where taking the table lock after the head lock deadlocked',
		async () => {
			let otherSettled = false;
			const first = db()
				.transaction()
				.execute(async (trx) => {
					// What every writer does first: look for the head to lock. There is none yet.
					await trx.selectFrom('audit_head').selectAll().forUpdate().execute();
					const other = recordAudit(db(), actor, { action: 'case.read', subject: 'case:second' });
					void other.then(
						() => (otherSettled = true),
						() => (otherSettled = true)
					);
					// Until the other writer has finished or is stuck behind this transaction.
					for (let i = 0; i < 100 && !otherSettled; i++) {
						const { rows } = await sql<{ n: number }>`
							select count(*)::int as n from pg_stat_activity
							where datname = current_database() and wait_event_type = 'Lock'`.execute(db());
						if (rows[0].n > 0) break;
						await new Promise((r) => setTimeout(r, 20));
					}
					await recordAudit(trx, actor, { action: 'case.read', subject: 'case:first' });
					return other;
				});
			await expect(first).resolves.toBeUndefined();
			expect(await verifyAuditChain(db())).toMatchObject({ rows: 2, problems: [] });
		}
	);
});
