import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { ingestEvents } from '$lib/server/events/event.service';
import {
	issueActivationLetter,
	LETTER_REPLAY_HOURS,
	purgeLetterRequests
} from '$lib/server/auth/activation-letter.service';
import { activateAccount } from '$lib/server/auth/activation.service';
import { createApiKey } from '$lib/server/api-keys/api-key.service';
import { describeEachEngine } from '../helpers/engines';
import { newReference, newVNumber, submitted } from '../helpers/factories';

const actor = { userId: null, role: 'api', organisation: 'api-key:1', ip: '10.0.0.1' };

describeEachEngine('activation letters', ({ db }) => {
	let apiKeyId = 0;

	async function newCase() {
		apiKeyId ||= (await createApiKey(db(), { label: 'printer', scopes: ['letters:issue'] })).id;
		const reference = newReference();
		const vNumber = newVNumber();
		expect(
			await ingestEvents(db(), {
				events: [submitted(reference, '2026-01-05T09:00:00+01:00', { vNumber })]
			})
		).toMatchObject({ ok: true });
		return { reference, vNumber };
	}

	function issue(reference: string, requestId: string, now?: Date) {
		return issueActivationLetter(db(), { reference, requestId, apiKeyId, actor, now });
	}

	function activate(vNumber: string, code: string) {
		return activateAccount(
			db(),
			{
				vNumber,
				birthDate: '1990-04-12',
				code,
				email: `${vNumber}-${randomUUID().slice(0, 6)}@example.test`,
				password: 'a long enough passphrase here',
				language: 'ar'
			},
			`10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`
		);
	}

	it('returns the same letter for a retried request id and does not void the printed code', async () => {
		const { reference, vNumber } = await newCase();
		const requestId = randomUUID();
		const first = await issue(reference, requestId);
		const retry = await issue(reference, requestId);
		expect(first).toMatchObject({ replayed: false });
		expect(retry).toMatchObject({ replayed: true });
		expect(retry.letter).toEqual(first.letter);
		const codes = await db()
			.selectFrom('activation_code')
			.innerJoin('case', 'case.id', 'activation_code.case_id')
			.select('replaced_at')
			.where('reference', '=', reference)
			.execute();
		expect(codes).toEqual([{ replaced_at: null }]);
		expect(await activate(vNumber, first.letter.code)).toHaveProperty('userId');
	});

	it('issues a new code for a new request id and retires the older one', async () => {
		const { reference, vNumber } = await newCase();
		const first = await issue(reference, randomUUID());
		const second = await issue(reference, randomUUID());
		expect(second.replayed).toBe(false);
		expect(second.letter.code).not.toBe(first.letter.code);
		await expect(activate(vNumber, first.letter.code)).rejects.toMatchObject({
			domain: 'auth',
			code: 'activation_failed'
		});
		expect(await activate(vNumber, second.letter.code)).toHaveProperty('userId');
	});

	it('gives one letter to parallel calls with the same request id', async () => {
		const { reference } = await newCase();
		const requestId = randomUUID();
		const results = await Promise.all(Array.from({ length: 6 }, () => issue(reference, requestId)));
		const codes = new Set(results.map((r) => r.letter.code));
		expect(codes.size).toBe(1);
		expect(results.filter((r) => !r.replayed)).toHaveLength(1);
		const rows = await db()
			.selectFrom('activation_code')
			.innerJoin('case', 'case.id', 'activation_code.case_id')
			.select('activation_code.id')
			.where('reference', '=', reference)
			.execute();
		expect(rows).toHaveLength(1);
	});

	it('refuses a request id used for another case, and an unknown case', async () => {
		const a = await newCase();
		const b = await newCase();
		const requestId = randomUUID();
		await issue(a.reference, requestId);
		await expect(issue(b.reference, requestId)).rejects.toMatchObject({
			domain: 'letters',
			code: 'request_id_reused'
		});
		await expect(issue('IND-2026-99999999', randomUUID())).rejects.toMatchObject({
			domain: 'letters',
			code: 'unknown_case'
		});
	});

	it('never stores the code in plain text, and forgets the sealed letter when the replay window ends', async () => {
		const { reference } = await newCase();
		const requestId = randomUUID();
		const at = new Date('2026-06-01T12:00:00Z');
		const letter = await issue(reference, requestId, at);
		const code = letter.letter.code;
		const dump = await sql<{ row: string }>`
			select row_to_json(r)::text as row from activation_letter_request r
			union all select row_to_json(c)::text from activation_code c
			union all select row_to_json(a)::text from audit_event a`.execute(db());
		for (const { row } of dump.rows) {
			expect(row).not.toContain(code);
			expect(row).not.toContain(code.replace(/-/g, ''));
		}
		const later = new Date(at.getTime() + LETTER_REPLAY_HOURS * 3600_000 + 1000);
		await purgeLetterRequests(db(), later);
		const kept = await db()
			.selectFrom('activation_letter_request')
			.innerJoin('case', 'case.id', 'case_id')
			.select('sealed')
			.where('reference', '=', reference)
			.executeTakeFirstOrThrow();
		expect(kept.sealed).toBeNull();
		// A late retry is refused rather than silently voiding the printed code.
		await expect(issue(reference, requestId, later)).rejects.toMatchObject({
			domain: 'letters',
			code: 'replay_expired'
		});
	});

	it('writes the audit row in the same transaction as the code it issues', async () => {
		const { reference } = await newCase();
		const result = await issue(reference, randomUUID());
		expect(result.letter.code).toBeTruthy();
		const code = await sql<{ xmin: string }>`
			select a.xmin::text from activation_code a join "case" c on c.id = a.case_id where c.reference = ${reference}`.execute(
			db()
		);
		const audit = await sql<{ xmin: string }>`
			select xmin::text from audit_event where action = 'activation_letter.issued' and subject = ${`case:${reference}`}`.execute(
			db()
		);
		expect(audit.rows).toEqual([{ xmin: code.rows[0].xmin }]);
	});
});
