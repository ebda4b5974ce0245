import { expect, it } from 'vitest';
import { ingestEvents } from '$lib/server/events/event.service';
import { issueActivationLetter } from '$lib/server/auth/activation-letter.service';
import { activateAccount } from '$lib/server/auth/activation.service';
import { describeEachEngine } from '../helpers/engines';
import { refusal } from './refusal';
import { newReference, newVNumber, stageEntered, submitted } from '../helpers/factories';
import { randomUUID } from 'node:crypto';

const api = { userId: null, role: 'api', organisation: 'api-key:1', ip: '10.0.0.1' };

describeEachEngine('events dated in the future', ({ db }) => {
	const now = new Date('2026-06-01T12:00:00Z');

	it('refuses an event more than 5 minutes ahead of the clock, with its index, field and code, and stores nothing of the batch', async () => {
		const ref = newReference();
		const errors = await refusal(
			ingestEvents(
				db(),
				{
					events: [
						submitted(ref, '2026-06-01T11:00:00Z'),
						stageEntered(ref, '2026-06-01T12:05:01Z', 'registration_interview_queue')
					]
				},
				{ now }
			)
		);
		expect(errors).toHaveLength(1);
		expect(errors[0]).toMatchObject({ index: 1, field: 'occurredAt', code: 'in_future' });
		expect(
			await db().selectFrom('case').select('id').where('reference', '=', ref).executeTakeFirst()
		).toBeUndefined();
	});

	it('accepts an event up to 5 minutes ahead, so clocks may differ a little, and the case then takes the next true event', async () => {
		const ref = newReference();
		const first = await ingestEvents(
			db(),
			{ events: [submitted(ref, '2026-06-01T12:04:59Z')] },
			{ now }
		);
		expect(first).toEqual({ ok: true, accepted: 1, duplicates: 0 });
		const later = new Date('2026-06-01T12:10:00Z');
		expect(
			await ingestEvents(
				db(),
				{ events: [stageEntered(ref, '2026-06-01T12:09:00Z', 'registration_interview_queue')] },
				{ now: later }
			)
		).toEqual({
			ok: true,
			accepted: 1,
			duplicates: 0
		});
	});
});

describeEachEngine('stored events', ({ db }) => {
	it('stores the parsed event: fields the schema does not know are not kept', async () => {
		const ref = newReference();
		const event = submitted(ref, '2026-01-05T09:00:00+01:00');
		const body = {
			events: [
				{
					...event,
					extraEnvelope: 'ignored',
					data: {
						...event.data,
						secretNote: 'not ours to keep',
						applicant: {
							...event.data.applicant,
							name: '  Amal Haddad ',
							religion: 'not ours to keep'
						}
					}
				}
			]
		};
		expect(await ingestEvents(db(), body)).toMatchObject({ ok: true, accepted: 1 });
		const row = await db()
			.selectFrom('case_event')
			.select(['data'])
			.where('id', '=', event.id)
			.executeTakeFirstOrThrow();
		expect(JSON.stringify(row.data)).not.toContain('not ours to keep');
		expect(row.data).toEqual({
			product: 'asiel',
			vNumber: event.data.vNumber,
			applicant: { name: 'Amal Haddad', birthDate: '1990-04-12', language: 'ar' }
		});
	});
});

describeEachEngine('identity of an activated applicant', ({ db }) => {
	async function activatedApplicant() {
		const vNumber = newVNumber();
		const ref = newReference();
		expect(
			await ingestEvents(db(), {
				events: [submitted(ref, '2026-01-05T09:00:00+01:00', { vNumber })]
			})
		).toMatchObject({ ok: true });
		const letter = await issueActivationLetter(db(), {
			reference: ref,
			requestId: randomUUID(),
			apiKeyId: await anyKey(),
			actor: api
		});
		await activateAccount(
			db(),
			{
				vNumber,
				birthDate: '1990-04-12',
				code: letter.letter.code,
				email: `${vNumber}@example.test`,
				password: 'a long enough passphrase here',
				language: 'ar'
			},
			'10.0.0.2'
		);
		return { vNumber, ref };
	}

	async function anyKey(): Promise<number> {
		const row = await db().selectFrom('api_key').select('id').executeTakeFirst();
		if (row) return row.id;
		return (
			await db()
				.insertInto('api_key')
				.values({
					label: 't',
					prefix: 'ma_t',
					secret_hash: randomUUID(),
					scopes: ['letters:issue']
				})
				.returning('id')
				.executeTakeFirstOrThrow()
		).id;
	}

	it('refuses a new case that gives an activated applicant another birth date or name, with index and code, and keeps the identity', async () => {
		const { vNumber } = await activatedApplicant();
		const other = newReference();
		const errors = await refusal(
			ingestEvents(db(), {
				events: [
					submitted(newReference(), '2026-02-01T09:00:00+01:00', {
						vNumber,
						applicant: { name: 'Amal Haddad', birthDate: '1990-04-12', language: 'en' }
					}),
					submitted(other, '2026-02-01T09:00:00+01:00', {
						vNumber,
						applicant: { name: 'Amal Haddad', birthDate: '1991-04-12', language: 'ar' }
					}),
					submitted(newReference(), '2026-02-01T09:00:00+01:00', {
						vNumber,
						applicant: { name: 'Someone Else', birthDate: '1990-04-12', language: 'ar' }
					})
				]
			})
		);
		expect(errors.map((e) => [e.index, e.field, e.code])).toEqual([
			[1, 'data.applicant.birthDate', 'identity_locked'],
			[2, 'data.applicant.name', 'identity_locked']
		]);
		const applicant = await db()
			.selectFrom('applicant')
			.select(['name', 'birth_date', 'language'])
			.where('v_number', '=', vNumber)
			.executeTakeFirstOrThrow();
		expect(applicant).toEqual({ name: 'Amal Haddad', birth_date: '1990-04-12', language: 'ar' });
		expect(
			await db().selectFrom('case').select('id').where('reference', '=', other).executeTakeFirst()
		).toBeUndefined();
	});

	it('accepts a new case of an activated applicant with the same identity', async () => {
		const { vNumber } = await activatedApplicant();
		const result = await ingestEvents(db(), {
			events: [
				submitted(newReference(), '2026-02-01T09:00:00+01:00', {
					vNumber,
					applicant: { name: 'Amal Haddad', birthDate: '1990-04-12', language: 'en' }
				})
			]
		});
		expect(result).toMatchObject({ ok: true, accepted: 1 });
	});

	it('still lets the feed correct the identity of an applicant who has not activated an account', async () => {
		const vNumber = newVNumber();
		await ingestEvents(db(), {
			events: [submitted(newReference(), '2026-01-05T09:00:00+01:00', { vNumber })]
		});
		const result = await ingestEvents(db(), {
			events: [
				submitted(newReference(), '2026-02-01T09:00:00+01:00', {
					vNumber,
					applicant: { name: 'Amal Haddad-Khoury', birthDate: '1990-04-21', language: 'ar' }
				})
			]
		});
		expect(result).toMatchObject({ ok: true, accepted: 1 });
		const applicant = await db()
			.selectFrom('applicant')
			.select(['name', 'birth_date'])
			.where('v_number', '=', vNumber)
			.executeTakeFirstOrThrow();
		expect(applicant).toEqual({ name: 'Amal Haddad-Khoury', birth_date: '1990-04-21' });
	});

	it('cannot give a case another V-number: a second case.submitted for the case is refused', async () => {
		const { ref } = await activatedApplicant();
		const errors = await refusal(
			ingestEvents(db(), {
				events: [submitted(ref, '2026-02-01T09:00:00+01:00', { vNumber: newVNumber() })]
			})
		);
		expect(errors).toMatchObject([{ index: 0, field: 'case', code: 'case_exists' }]);
	});

	it('refuses the change when the account is activated while the batch is on its way (no lost race)', async () => {
		const vNumber = newVNumber();
		await ingestEvents(db(), {
			events: [submitted(newReference(), '2026-01-05T09:00:00+01:00', { vNumber })]
		});
		const applicant = await db()
			.selectFrom('applicant')
			.select('id')
			.where('v_number', '=', vNumber)
			.executeTakeFirstOrThrow();
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		let inserted!: () => void;
		const ready = new Promise<void>((resolve) => (inserted = resolve));
		// An activation that has inserted its account and not yet committed.
		const activation = db()
			.transaction()
			.execute(async (trx) => {
				await trx
					.insertInto('app_user')
					.values({
						email: `${vNumber}@race.test`,
						password_hash: 'x',
						display_name: 'Amal Haddad',
						kind: 'applicant',
						applicant_id: applicant.id
					})
					.execute();
				inserted();
				await held;
			});
		await ready;
		const batch = ingestEvents(db(), {
			events: [
				submitted(newReference(), '2026-02-01T09:00:00+01:00', {
					vNumber,
					applicant: { name: 'Amal Haddad', birthDate: '1985-01-01', language: 'ar' }
				})
			]
		});
		await new Promise((resolve) => setTimeout(resolve, 300));
		release();
		await activation;
		expect(await refusal(batch)).toMatchObject([{ index: 0, code: 'identity_locked' }]);
		expect(
			await db()
				.selectFrom('applicant')
				.select('birth_date')
				.where('id', '=', applicant.id)
				.executeTakeFirstOrThrow()
		).toEqual({ birth_date: '1990-04-12' });
	});
});
