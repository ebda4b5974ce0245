import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createOrganisation, setOrganisationRecognised } from '$lib/server/admin/admin.service';
import { findPrincipal } from '$lib/server/auth/user.repository';
import { organisationKvks, type Principal } from '$lib/server/auth/principal';
import { createSession, generateToken, validateSessionToken } from '$lib/server/auth/session';
import { chainPendingAudit } from '$lib/server/audit/audit.service';
import { ingestEvents } from '$lib/server/events/event.service';
import { getWorkspace } from '$lib/server/referent/workspace.service';
import { workspaceQuerySchema } from '$lib/server/referent/workspace.validation';
import {
	acceptInvitation,
	findInvitation,
	getMembers,
	inviteMember,
	removeMember,
	revokeInvitation,
	setMemberRole
} from '$lib/server/referent/members.service';
import { DomainError } from '$lib/server/errors';
import type { Db } from '$lib/server/db';
import { describeEachEngine } from '../helpers/engines';
import { newReference, submitted } from '../helpers/factories';
import { PASSWORD } from '../auth/fixtures';

const NOW = new Date('2026-12-01T10:00:00Z');
const DAY = 86_400_000;
const ibd = { userId: null, role: 'admin', ip: '10.0.0.1' };
const context = { origin: 'https://portal.test', lang: 'en', ip: '10.1.0.1', smtp: true };

async function organisation(db: Db, name: string) {
	const kvk = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
	const adminEmail = `admin-${randomUUID()}@example.test`;
	await createOrganisation(db, ibd, {
		kvk,
		name,
		adminEmail,
		adminName: `${name} admin`,
		adminPassword: PASSWORD
	});
	const row = await db
		.selectFrom('app_user')
		.select('id')
		.where('email', '=', adminEmail)
		.executeTakeFirstOrThrow();
	return { kvk, admin: await findPrincipal(db, row.id) };
}

/** The token of the newest invitation e-mail to `email`, as the colleague would click it. */
async function tokenSentTo(db: Db, email: string): Promise<string> {
	const mail = await db
		.selectFrom('email_outbox')
		.select('body_text')
		.where('to_address', '=', email)
		.orderBy('id', 'desc')
		.executeTakeFirstOrThrow();
	return /\/auth\/invitation\/([\w-]+)/.exec(mail.body_text)![1];
}

async function refusal(promise: Promise<unknown>): Promise<string> {
	const err = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(err).toBeInstanceOf(DomainError);
	return (err as DomainError).code;
}

async function join(db: Db, admin: Principal, role: 'referent_member' | 'referent_admin') {
	const email = `colleague-${randomUUID()}@example.test`;
	await inviteMember(db, admin, { email, role }, context, NOW);
	await acceptInvitation(
		db,
		await tokenSentTo(db, email),
		{ name: 'Colleague', password: PASSWORD, lang: 'nl' },
		null,
		NOW
	);
	const row = await db
		.selectFrom('app_user')
		.select('id')
		.where('email', '=', email)
		.executeTakeFirstOrThrow();
	return findPrincipal(db, row.id);
}

describeEachEngine('referent members', ({ db }) => {
	it('an invited colleague sets a password and sees the same applications as the administrator', async () => {
		const x = await organisation(db(), 'Xylo B.V.');
		const reference = newReference();
		await ingestEvents(db(), {
			events: [
				submitted(reference, '2026-11-20T09:00:00Z', {
					product: 'kennismigrant',
					sponsorKvk: x.kvk
				})
			]
		});
		const email = `new-${randomUUID()}@example.test`;
		const sent = await inviteMember(
			db(),
			x.admin,
			{ email, role: 'referent_member' },
			context,
			NOW
		);
		expect(sent).toEqual({ email, demoLink: null });

		const mail = await db()
			.selectFrom('email_outbox')
			.select(['subject', 'body_text', 'body_redacted'])
			.where('to_address', '=', email)
			.executeTakeFirstOrThrow();
		expect(mail.subject).toContain('Xylo B.V.');
		expect(mail.body_text).toContain('https://portal.test/auth/invitation/');
		// The outbox copy an IND administrator may read does not hold a working link.
		expect(mail.body_redacted).not.toContain('/auth/invitation/');

		const token = await tokenSentTo(db(), email);
		expect(await findInvitation(db(), token, NOW)).toMatchObject({
			email,
			role: 'referent_member',
			organisation: { name: 'Xylo B.V.', kvk: x.kvk }
		});
		await acceptInvitation(
			db(),
			token,
			{ name: 'Nora Colleague', password: PASSWORD, lang: 'en' },
			null,
			NOW
		);

		const view = await getMembers(db(), x.admin, NOW);
		expect(view.members.map((m) => [m.name, m.role])).toEqual([
			['Xylo B.V. admin', 'referent_admin'],
			['Nora Colleague', 'referent_member']
		]);
		expect(view.invitations).toEqual([]);

		const user = await db()
			.selectFrom('app_user')
			.select(['id', 'kind', 'language'])
			.where('email', '=', email)
			.executeTakeFirstOrThrow();
		expect(user).toMatchObject({ kind: 'referent', language: 'en' });
		const colleague = await findPrincipal(db(), user.id);
		expect(organisationKvks(colleague)).toEqual([x.kvk]);
		const query = workspaceQuerySchema.parse({});
		const theirs = await getWorkspace(db(), colleague, query, null, NOW);
		const mine = await getWorkspace(db(), x.admin, query, null, NOW);
		expect(theirs.rows.map((r) => r.reference)).toEqual([reference]);
		expect(theirs.rows).toEqual(mine.rows);
	});

	it('the link works once, and not after 7 days, after withdrawal or after a newer invitation', async () => {
		const x = await organisation(db(), 'Once B.V.');
		const email = `once-${randomUUID()}@example.test`;
		const accept = (token: string, at = NOW) =>
			acceptInvitation(db(), token, { name: 'N', password: PASSWORD, lang: 'nl' }, null, at);

		await inviteMember(db(), x.admin, { email, role: 'referent_member' }, context, NOW);
		const first = await tokenSentTo(db(), email);
		expect(await refusal(accept(first, new Date(NOW.getTime() + 7 * DAY)))).toBe(
			'invitation_invalid'
		);
		await inviteMember(db(), x.admin, { email, role: 'referent_admin' }, context, NOW);
		const second = await tokenSentTo(db(), email);
		expect(second).not.toBe(first);
		expect(await refusal(accept(first))).toBe('invitation_invalid');
		expect(
			(await getMembers(db(), x.admin, NOW)).invitations.map((i) => [i.email, i.role])
		).toEqual([[email, 'referent_admin']]);

		const [live] = (await getMembers(db(), x.admin, NOW)).invitations;
		await revokeInvitation(db(), x.admin, live.id, null, NOW);
		expect(await refusal(accept(second))).toBe('invitation_invalid');
		expect(await refusal(revokeInvitation(db(), x.admin, live.id, null, NOW))).toBe(
			'invitation_gone'
		);

		await inviteMember(db(), x.admin, { email, role: 'referent_member' }, context, NOW);
		const third = await tokenSentTo(db(), email);
		await accept(third);
		expect(await refusal(accept(third))).toBe('invitation_invalid');
		expect(await findInvitation(db(), third, NOW)).toBeNull();
	});

	it('a weak password or an address with an account writes nothing, and the link keeps working', async () => {
		const x = await organisation(db(), 'Careful B.V.');
		const email = `careful-${randomUUID()}@example.test`;
		await inviteMember(db(), x.admin, { email, role: 'referent_member' }, context, NOW);
		const token = await tokenSentTo(db(), email);
		expect(
			await refusal(
				acceptInvitation(db(), token, { name: 'N', password: 'short', lang: 'nl' }, null, NOW)
			)
		).toBe('too_short');
		expect(await findInvitation(db(), token, NOW)).not.toBeNull();

		// The same address, invited by the IND meanwhile as another organisation's administrator.
		const y = await organisation(db(), 'Taken B.V.');
		await inviteMember(db(), y.admin, { email, role: 'referent_member' }, context, NOW);
		await acceptInvitation(
			db(),
			await tokenSentTo(db(), email),
			{ name: 'N', password: PASSWORD, lang: 'nl' },
			null,
			NOW
		);
		expect(
			await refusal(
				acceptInvitation(db(), token, { name: 'N', password: PASSWORD, lang: 'nl' }, null, NOW)
			)
		).toBe('email_taken');
		expect(await findInvitation(db(), token, NOW)).not.toBeNull();
		const accounts = await db()
			.selectFrom('app_user')
			.select('id')
			.where('email', '=', email)
			.execute();
		expect(accounts).toHaveLength(1);
	});

	it('a removed colleague is signed out at once and their account closed', async () => {
		const x = await organisation(db(), 'Removal B.V.');
		const colleague = await join(db(), x.admin, 'referent_member');
		const token = generateToken();
		await createSession(db(), token, colleague.id, 'referent', null, NOW);
		expect(await validateSessionToken(db(), token, NOW, undefined)).not.toBeNull();

		const { endedSessions } = await removeMember(db(), x.admin, colleague.id, null, NOW);
		expect(endedSessions).toBe(1);
		expect(await validateSessionToken(db(), token, NOW, undefined)).toBeNull();
		expect((await findPrincipal(db(), colleague.id)).roles).toEqual([]);
		const account = await db()
			.selectFrom('app_user')
			.select('disabled_at')
			.where('id', '=', colleague.id)
			.executeTakeFirstOrThrow();
		expect(account.disabled_at).not.toBeNull();
		expect((await getMembers(db(), x.admin, NOW)).members.map((m) => m.id)).toEqual([x.admin.id]);

		await chainPendingAudit(db());
		const audit = await db()
			.selectFrom('audit_event')
			.select(['action', 'actor_role', 'actor_organisation'])
			.where('subject', '=', `user:${colleague.id}`)
			.execute();
		expect(audit).toEqual([
			{
				action: 'referent.member_removed',
				actor_role: 'referent_admin',
				actor_organisation: 'Removal B.V.'
			}
		]);
	});

	it('roles change; nobody changes their own account, and one administrator always remains', async () => {
		const x = await organisation(db(), 'Roles B.V.');
		const colleague = await join(db(), x.admin, 'referent_member');
		expect(await refusal(setMemberRole(db(), x.admin, x.admin.id, 'referent_member', null))).toBe(
			'own_account'
		);
		expect(await refusal(removeMember(db(), x.admin, x.admin.id, null))).toBe('own_account');

		await setMemberRole(db(), x.admin, colleague.id, 'referent_admin', null);
		const promoted = await findPrincipal(db(), colleague.id);
		expect(promoted.roles.map((r) => r.role)).toEqual(['referent_admin']);
		// The new administrator removes the first; then no one can remove the last.
		await removeMember(db(), promoted, x.admin.id, null);
		expect((await getMembers(db(), promoted, NOW)).members.map((m) => m.id)).toEqual([
			colleague.id
		]);
	});

	it('two administrators removing each other at once leave one of them', async () => {
		const x = await organisation(db(), 'Race B.V.');
		const other = await join(db(), x.admin, 'referent_admin');
		const results = await Promise.allSettled([
			removeMember(db(), x.admin, other.id, null),
			removeMember(db(), other, x.admin.id, null)
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		const members = (
			await db()
				.selectFrom('user_role')
				.innerJoin('app_user', 'app_user.id', 'user_role.user_id')
				.select('app_user.id')
				.where('user_role.role', '=', 'referent_admin')
				.where('app_user.disabled_at', 'is', null)
				.where('app_user.id', 'in', [x.admin.id, other.id])
				.execute()
		).length;
		expect(members).toBe(1);
		// The one removed cannot act on a page they opened before.
		const loser = results[0].status === 'fulfilled' ? other : x.admin;
		const email = `late-${randomUUID()}@example.test`;
		expect(
			await refusal(inviteMember(db(), loser, { email, role: 'referent_admin' }, context))
		).toBe('not_found');
	});

	it("organisation Y never sees or changes X's colleagues or invitations", async () => {
		const x = await organisation(db(), 'Ex B.V.');
		const y = await organisation(db(), 'Why B.V.');
		const colleague = await join(db(), x.admin, 'referent_member');
		const email = `pending-${randomUUID()}@example.test`;
		await inviteMember(db(), x.admin, { email, role: 'referent_member' }, context, NOW);
		const [pending] = (await getMembers(db(), x.admin, NOW)).invitations;

		const seen = await getMembers(db(), y.admin, NOW);
		expect(seen.members.map((m) => m.id)).toEqual([y.admin.id]);
		expect(seen.invitations).toEqual([]);
		expect(await refusal(setMemberRole(db(), y.admin, colleague.id, 'referent_admin', null))).toBe(
			'not_found'
		);
		expect(await refusal(removeMember(db(), y.admin, colleague.id, null))).toBe('not_found');
		expect(await refusal(revokeInvitation(db(), y.admin, pending.id, null))).toBe(
			'invitation_gone'
		);
		// A member, not an administrator, runs nothing.
		expect(await refusal(getMembers(db(), colleague))).toBe('not_found');
		expect((await findPrincipal(db(), colleague.id)).roles.map((r) => r.role)).toEqual([
			'referent_member'
		]);
	});

	it('the IND records whether the organisation is recognised, and its administrators see it', async () => {
		const x = await organisation(db(), 'Recognised B.V.');
		expect((await getMembers(db(), x.admin, NOW)).organisation.recognised).toBe(true);
		const { id } = await db()
			.selectFrom('organisation')
			.select('id')
			.where('kvk', '=', x.kvk)
			.executeTakeFirstOrThrow();
		await setOrganisationRecognised(db(), ibd, id, false);
		expect((await getMembers(db(), x.admin, NOW)).organisation.recognised).toBe(false);
		expect(await refusal(setOrganisationRecognised(db(), ibd, 2 ** 31 - 1, true))).toBe(
			'organisation_not_found'
		);
	});

	it('an organisation sends at most 5 invitations a day to one address, and says when it may again', async () => {
		const x = await organisation(db(), 'Limits B.V.');
		const email = `limit-${randomUUID()}@example.test`;
		const invite = (at: Date) =>
			inviteMember(db(), x.admin, { email, role: 'referent_member' }, context, at);
		for (let i = 0; i < 5; i++) await invite(new Date(NOW.getTime() + i * 60_000));
		const err = await invite(new Date(NOW.getTime() + 10 * 60_000)).then(
			() => null,
			(e: unknown) => e as DomainError
		);
		expect(err?.code).toBe('invitations_throttled');
		expect(err?.retryAt).toEqual(new Date(NOW.getTime() + DAY));
		const sent = await db()
			.selectFrom('email_outbox')
			.select('id')
			.where('to_address', '=', email)
			.execute();
		expect(sent).toHaveLength(5);
		// Another address is not held up by it, and the next day the address may be invited again.
		await inviteMember(
			db(),
			x.admin,
			{ email: `other-${email}`, role: 'referent_member' },
			context,
			NOW
		);
		await invite(new Date(NOW.getTime() + DAY + 1));
	});
});
