import { expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines';
import { book, requestSameGender } from '$lib/server/planning/booking.service';
import { expireInvitations } from '$lib/server/planning/invitation.service';
import { listCaseChanges } from '$lib/server/changes/change.service';
import { insertCaseChanges } from '$lib/server/changes/change.repository';
import {
	NOW,
	key,
	newApplicantWithInvitation,
	newInterpreter,
	newLocation,
	newSlot,
	bookAs
} from '../planning/fixtures';

describeEachEngine('the change feed and invitations over time', ({ db, engine }) => {
	it.skipIf(engine === 'pglite')(
		'orders changes by commit: a writer never waits for another, and a reader continuing from its cursor misses nothing',
		async () => {
			const loc = await newLocation(db());
			const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
			const slotId = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-21T08:00:00Z' });
			const { appointment } = await bookAs(db(), a, slotId);
			const start = (await listCaseChanges(db(), 0, 10_000)).at(-1)!.cursor;
			const change = (note: string) => ({
				kind: 'attended' as const,
				appointment_id: appointment.id,
				case_reference: a.reference,
				data: { note }
			});
			const notes = (changes: { data: unknown }[]) =>
				changes.map((c) => (c.data as { note: string }).note);
			let releaseFirst!: () => void;
			const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
			let firstInserted!: () => void;
			const firstHasInserted = new Promise<void>((resolve) => (firstInserted = resolve));
			const first = db()
				.transaction()
				.execute(async (trx) => {
					await insertCaseChanges(trx, [change('first')]);
					firstInserted();
					await firstMayCommit;
				});
			await firstHasInserted;
			// Inserted later, committed first: it does not wait, and it is read first.
			await db()
				.transaction()
				.execute((trx) => insertCaseChanges(trx, [change('second')]));
			const read = await listCaseChanges(db(), start);
			expect(notes(read)).toEqual(['second']);
			releaseFirst();
			await first;
			expect(notes(await listCaseChanges(db(), read.at(-1)!.cursor))).toEqual(['first']);
			expect(notes(await listCaseChanges(db(), start))).toEqual(['second', 'first']);
		}
	);

	it.skipIf(engine === 'pglite')(
		'gives a reader polling during 40 concurrent writers every change exactly once',
		async () => {
			const loc = await newLocation(db());
			const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
			const slotId = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-21T09:00:00Z' });
			const { appointment } = await bookAs(db(), a, slotId);
			let cursor = (await listCaseChanges(db(), 0, 10_000)).at(-1)!.cursor;
			const seen: string[] = [];
			let writing = true;
			const reader = (async () => {
				while (writing || seen.length < 40) {
					const changes = await listCaseChanges(db(), cursor, 7);
					for (const c of changes) seen.push((c.data as { note: string }).note);
					if (changes.length > 0) cursor = changes.at(-1)!.cursor;
					else await new Promise((resolve) => setTimeout(resolve, 2));
				}
			})();
			await Promise.all(
				Array.from({ length: 40 }, (_, i) =>
					db()
						.transaction()
						.execute(async (trx) => {
							await insertCaseChanges(trx, [
								{
									kind: 'attended',
									appointment_id: appointment.id,
									case_reference: a.reference,
									data: { note: `w${i}` }
								}
							]);
							// Commits in another order than the inserts.
							await new Promise((resolve) => setTimeout(resolve, (i * 7) % 23));
						})
				)
			);
			writing = false;
			await reader;
			expect(seen).toHaveLength(40);
			expect(new Set(seen).size).toBe(40);
		}
	);

	it('gives an applicant who asked for it an interpreter of their own gender when the pool has one', async () => {
		const loc = await newLocation(db());
		const shift = { locationId: loc.id, from: '2026-12-22T07:00:00Z', to: '2026-12-22T16:00:00Z' };
		const male = await newInterpreter(db(), { ...shift, language: 'so', gender: 'male' });
		const female = await newInterpreter(db(), { ...shift, language: 'so', gender: 'female' });
		const a = await newApplicantWithInvitation(db(), {
			locations: [loc.code],
			interpreterLanguage: 'so'
		});
		await requestSameGender(db(), {
			invitationId: a.invitationId,
			applicantGender: 'female',
			actor: a.actor
		});
		const slotId = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-22T08:00:00Z' });
		const { appointment } = await bookAs(db(), a, slotId);
		expect(appointment.interpreter_id).toBe(female);
		// Without the request the pool's order decides.
		const b = await newApplicantWithInvitation(db(), {
			locations: [loc.code],
			interpreterLanguage: 'so'
		});
		const later = await newSlot(db(), { locationId: loc.id, startsAt: '2026-12-22T12:00:00Z' });
		const other = await bookAs(db(), b, later);
		expect(other.appointment.interpreter_id).toBe(male);
	});

	it('books once when the same request arrives twice at the same moment (a double click)', async () => {
		const loc = await newLocation(db());
		const a = await newApplicantWithInvitation(db(), { locations: [loc.code] });
		const slotId = await newSlot(db(), {
			locationId: loc.id,
			startsAt: '2026-12-23T08:00:00Z',
			rooms: 3
		});
		const k = key();
		const request = () =>
			book(db(), {
				invitationId: a.invitationId,
				slotId,
				idempotencyKey: k,
				actor: a.actor,
				now: NOW
			});
		const [one, two] = await Promise.all([request(), request()]);
		expect(one.appointment.id).toBe(two.appointment.id);
		expect([one.replayed, two.replayed].sort()).toEqual([false, true]);
		const taken = await db()
			.selectFrom('slot')
			.select('taken')
			.where('id', '=', slotId)
			.executeTakeFirstOrThrow();
		expect(taken.taken).toBe(1);
	});

	it('expires open invitations after their book-before day', async () => {
		const loc = await newLocation(db());
		const a = await newApplicantWithInvitation(db(), {
			locations: [loc.code],
			bookBefore: '2026-12-10'
		});
		await expireInvitations(db(), new Date('2026-12-10T20:00:00Z'));
		const status = async () =>
			(
				await db()
					.selectFrom('hearing_invitation')
					.select('status')
					.where('id', '=', a.invitationId)
					.executeTakeFirstOrThrow()
			).status;
		expect(await status()).toBe('open');
		await expireInvitations(db(), new Date('2026-12-11T00:30:00Z')); // 01:30 on the 11th in Amsterdam
		expect(await status()).toBe('expired');
	});
});
