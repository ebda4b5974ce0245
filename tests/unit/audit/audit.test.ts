import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { recordAudit, verifyAuditChain } from '$lib/server/audit/audit.service';
import { describeEachEngine } from '../helpers/engines';

const actor = { userId: null, role: 'counter', desk: 'Den Haag', ip: '127.0.0.1' };

describeEachEngine('audit log', ({ db }) => {
	async function tamper(statement: ReturnType<typeof sql>) {
		await sql`alter table audit_event disable trigger audit_event_append_only`.execute(db());
		await statement.execute(db());
		await sql`alter table audit_event enable trigger audit_event_append_only`.execute(db());
	}

	it('chains rows so that the log verifies', async () => {
		for (let i = 0; i < 5; i++) await recordAudit(db(), actor, { action: 'case.read', subject: `case:${i}`, reason: 'applicant at the desk', details: { b: 1, a: [2, { z: 1, y: 2 }] } });
		expect(await verifyAuditChain(db())).toEqual({ rows: 5, problems: [] });
	});

	it('keeps concurrent writers on one chain', async () => {
		await Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(db(), actor, { action: 'case.read', subject: `case:c${i}` })));
		expect((await verifyAuditChain(db())).problems).toEqual([]);
	});

	it('refuses updates and deletes', async () => {
		await expect(db().updateTable('audit_event').set({ reason: 'x' }).where('id', '=', 1).execute()).rejects.toThrow(/append-only/);
		await expect(db().deleteFrom('audit_event').where('id', '=', 1).execute()).rejects.toThrow(/append-only/);
	});

	it('detects a changed row', async () => {
		await tamper(sql`update audit_event set reason = 'nothing to see' where id = 2`);
		expect((await verifyAuditChain(db())).problems).toContainEqual({ id: 2, problem: 'changed' });
	});

	it('detects a deleted row in the middle and at the end', async () => {
		await tamper(sql`delete from audit_event where id = 4`);
		const max = (await db().selectFrom('audit_event').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow()).id;
		await tamper(sql`delete from audit_event where id = ${max}`);
		const { problems } = await verifyAuditChain(db());
		expect(problems).toContainEqual({ id: 5, problem: 'missing_before' });
		expect(problems.some((p) => p.problem === 'missing_after')).toBe(true);
	});
});
