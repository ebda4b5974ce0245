import { expect, test } from 'vitest';
import { sql } from 'kysely';
import { describeEachEngine } from '../helpers/engines';
import { TRIAGE_CRON, TRIAGE_QUEUE, startJobs } from '$lib/server/jobs';
import { addDocuments, startRequest } from '$lib/server/triage/triage.service';
import { newWaitingApplicant, pdf } from './fixtures';

describeEachEngine('the triage retention job', ({ db, engine }) => {
	test('is scheduled every hour in Amsterdam time, and its run deletes a draft older than a day with its files', async () => {
		const a = await newWaitingApplicant(db());
		await startRequest(db(), { reference: a.reference, actor: a.triageActor });
		await addDocuments(db(), {
			reference: a.reference,
			actor: a.triageActor,
			files: [{ name: 'a.pdf', bytes: pdf() }]
		});
		await sql`update triage_request set created_at = now() - interval '25 hours' where case_id = ${a.caseId}`.execute(
			db()
		);
		const jobs = await startJobs(db(), { embedded: engine === 'pglite' });
		try {
			const { rows } = await sql<{
				cron: string;
				timezone: string;
			}>`select cron, timezone from pgboss.schedule where name = ${TRIAGE_QUEUE}`.execute(db());
			expect(rows).toEqual([{ cron: TRIAGE_CRON, timezone: 'Europe/Amsterdam' }]);
			// Run it now, through the queue, as the schedule would.
			await jobs.boss.send(TRIAGE_QUEUE);
			const deadline = Date.now() + 15_000;
			let left = 1;
			while (Date.now() < deadline) {
				const found = await db()
					.selectFrom('triage_request')
					.select('id')
					.where('case_id', '=', a.caseId)
					.execute();
				left = found.length;
				if (left === 0) break;
				await new Promise((r) => setTimeout(r, 250));
			}
			expect(left).toBe(0);
			const files = await sql<{
				n: number;
			}>`select count(*)::integer as n from triage_document d where not exists (select 1 from triage_request r where r.id = d.request_id)`.execute(
				db()
			);
			expect(files.rows[0].n).toBe(0);
		} finally {
			await jobs.stop();
		}
	}, 30_000);
});
