/**
 * The error model at the edges: the services of the admin, cases and events domains throw errors
 * of their catalogues, and the one mapping (submitForm, pageError, problemResponse) turns the
 * error's kind into the status: the routes no longer choose one.
 */
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { isActionFailure, isHttpError, type ActionFailure } from '@sveltejs/kit';
import type { FieldError } from '$lib/validation/form';
import { z } from 'zod';
import type { Principal } from '$lib/server/auth/principal';
import { createDatabase } from '$lib/server/db';
import {
	createOrganisation,
	createStaffAccount,
	revokeApiKeyAudited,
	setAccountDisabled
} from '$lib/server/admin/admin.service';
import { newOrganisationSchema } from '$lib/server/admin/admin.validation';
import { createApiKey } from '$lib/server/api-keys/api-key.service';
import { lookupCaseForStaff } from '$lib/server/cases/lookup.service';
import { getSponsoredCase } from '$lib/server/referent/workspace.service';
import { lookupSchema } from '$lib/server/cases/lookup.validation';
import { ingestEvents } from '$lib/server/events/event.service';
import { checkDatabase, unhealthy } from '$lib/server/health/health.service';
import { apiHandler, pageError, problemResponse, submitForm } from '$lib/server/http/errors';
import { describeEachEngine } from '../helpers/engines';
import { newReference, submitted } from '../helpers/factories';

const PASSWORD = 'a long and unusual passphrase 42';
/** A form without fields: only the service can refuse it. */
const nothing = z.object({});

/** The form failure a submission ended in; fails the test when it succeeded. */
function failureOf(result: unknown) {
	expect(isActionFailure(result)).toBe(true);
	return result as ActionFailure<{ values: Record<string, string>; errors: FieldError[] }>;
}

function formOf(values: Record<string, string>): FormData {
	const form = new FormData();
	for (const [name, value] of Object.entries(values)) form.set(name, value);
	return form;
}

function staff(id: number, role: 'counter' | 'admin' | 'referent_member', kvk?: string): Principal {
	return {
		id,
		email: `${id}@example.test`,
		displayName: 'Staff',
		kind: role === 'referent_member' ? 'referent' : 'staff',
		applicantId: null,
		roles: [
			{
				role,
				organisationId: null,
				organisationKvk: kvk ?? null,
				organisationName: null,
				desk: role === 'counter' ? 'Zwolle' : null
			}
		]
	};
}

describeEachEngine('errors at the edges', ({ db }) => {
	async function newStaff(role: 'counter' | 'admin') {
		return createStaffAccount(
			db(),
			{ userId: null, role: 'system', ip: null },
			{
				email: `${role}-${newReference()}@example.test`,
				displayName: 'Staff',
				password: PASSWORD,
				roles: [role],
				desk: role === 'counter' ? 'Zwolle' : null
			}
		);
	}

	it('a look-up of an unknown case is a 404 at the reference, and of a known one the summary', async () => {
		const counter = staff(await newStaff('counter'), 'counter');
		const ref = newReference();
		await ingestEvents(db(), { events: [submitted(ref, '2026-01-05T09:00:00+01:00')] });
		const lookUp = (reference: string) =>
			submitForm(formOf({ reference, reason: 'applicant at the desk' }), lookupSchema, (input) =>
				lookupCaseForStaff(db(), counter, { ...input, role: 'counter' }, '10.0.0.1')
			);

		const unknown = failureOf(await lookUp('IND-2026-99999997'));
		expect(unknown.status).toBe(404);
		expect(unknown.data.errors).toEqual([
			{ field: 'reference', key: 'staff:lookup.errors.not_found' }
		]);

		const known = await lookUp(ref);
		// The stage's kind comes with the case, for the "what happens next" line.
		expect(known).toMatchObject({ reference: ref, stageKind: expect.stringMatching(/^[a-z]+$/) });
	});

	it('a reason too short for the audit log is a 400 at the reason, and a role not held a 400 at the role', async () => {
		const counter = staff(await newStaff('counter'), 'counter');
		const ref = newReference();
		await ingestEvents(db(), { events: [submitted(ref, '2026-01-05T09:00:00+01:00')] });
		const short = await submitForm(formOf({}), nothing, () =>
			lookupCaseForStaff(db(), counter, { role: 'counter', reference: ref, reason: 'ab' }, null)
		);
		expect(failureOf(short).status).toBe(400);
		expect(failureOf(short).data.errors).toEqual([
			{ field: 'reason', key: 'staff:lookup.errors.reason_short' }
		]);
		const notHeld = await submitForm(formOf({}), nothing, () =>
			lookupCaseForStaff(
				db(),
				counter,
				{ role: 'triage', reference: ref, reason: 'checking' },
				null
			)
		);
		expect(failureOf(notHeld).status).toBe(400);
		expect(failureOf(notHeld).data.errors[0].field).toBe('role');
	});

	it("a referent asking for a case their organisation does not sponsor gets the 404 page in the referent's words", async () => {
		const ref = newReference();
		await ingestEvents(db(), { events: [submitted(ref, '2026-01-05T09:00:00+01:00')] });
		const thrown = await getSponsoredCase(
			db(),
			staff(1, 'referent_member', '12345678'),
			ref,
			null
		).then(
			() => null,
			(e: unknown) => e
		);
		let page: unknown;
		try {
			pageError(thrown, 'en');
		} catch (e) {
			page = e;
		}
		expect(isHttpError(page, 404)).toBe(true);
		expect((page as { body: { message: string } }).body.message).not.toContain('case.not_found');
	});

	it('an administrator sees a taken email at the form’s own field and a refused change at its field', async () => {
		const admin = { userId: await newStaff('admin'), role: 'admin' };
		const email = `taken-${newReference()}@example.test`;
		await createStaffAccount(db(), admin, {
			email,
			displayName: 'First',
			password: PASSWORD,
			roles: ['planner'],
			desk: null
		});
		const organisation = await submitForm(
			formOf({
				kvk: String(10_000_000 + Math.floor(Math.random() * 89_999_999)),
				name: 'Uni',
				adminEmail: email,
				adminName: 'Second',
				password: PASSWORD
			}),
			newOrganisationSchema,
			(input) => createOrganisation(db(), admin, { ...input, adminPassword: input.password })
		);
		expect(failureOf(organisation).status).toBe(400);
		expect(failureOf(organisation).data.errors).toEqual([
			{ field: 'adminEmail', key: 'admin:errors.email_taken' }
		]);
		// The password is never echoed back.
		expect(failureOf(organisation).data.values.password).toBeUndefined();

		const own = await submitForm(formOf({}), nothing, () =>
			setAccountDisabled(db(), admin, admin.userId, true)
		);
		expect(failureOf(own).status).toBe(400);
		expect(failureOf(own).data.errors).toEqual([
			{ field: 'status', key: 'admin:errors.own_account' }
		]);
	});

	it('revoking a key that was already revoked is a 409 that names the key', async () => {
		const admin = { userId: await newStaff('admin'), role: 'admin' };
		const { id } = await createApiKey(db(), { label: 'feed', scopes: ['events:write'] });
		await revokeApiKeyAudited(db(), admin, id);
		const again = await submitForm(formOf({}), nothing, () => revokeApiKeyAudited(db(), admin, id));
		expect(failureOf(again).status).toBe(409);
		expect(failureOf(again).data.errors).toEqual([
			{ field: 'keys-caption', key: 'admin:errors.already_revoked', params: { id } }
		]);
	});

	it('a refused batch is one problem document: 400, its code, and the errors list of each event', async () => {
		const bad = submitted(newReference(), '2026-01-05T09:00:00+01:00', { product: 'nope' });
		const response = await apiHandler(async () => {
			await ingestEvents(db(), { events: [bad] });
			return new Response('stored');
		});
		expect(response.status).toBe(400);
		expect(response.headers.get('content-type')).toBe('application/problem+json');
		expect(await response.json()).toEqual({
			type: 'tag:mijn-aanvraag.ind.nl,2026:problem/events/rejected',
			title: 'The request breaks a rule',
			status: 400,
			code: 'rejected',
			detail: expect.stringContaining('nothing of it was stored'),
			errors: [
				{
					index: 0,
					field: 'data.product',
					code: 'unknown_product',
					message: expect.stringContaining('"nope" is unknown')
				}
			]
		});
	});
});

describe('the health check', () => {
	it('answers an unreachable database with a 503 problem document that keeps its database report', async () => {
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const port = (closed.address() as { port: number }).port;
		await new Promise((resolve) => closed.close(resolve));
		const db = createDatabase({
			url: `postgres://nobody@127.0.0.1:${port}/none`,
			timeouts: { connectMs: 500, statementMs: 600, idleInTransactionMs: 1500, queryMs: 800 }
		});
		const database = await checkDatabase(db);
		await db.destroy();
		expect(database).toMatchObject({ reachable: false, problem: 'unreachable' });

		const response = problemResponse(unhealthy(database), {}, { database });
		expect(response.status).toBe(503);
		expect(response.headers.get('content-type')).toBe('application/problem+json');
		expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(await response.json()).toMatchObject({
			type: 'tag:mijn-aanvraag.ind.nl,2026:problem/health/database_unreachable',
			title: 'Temporarily unavailable',
			status: 503,
			code: 'database_unreachable',
			detail: expect.stringContaining('unreachable'),
			errors: [{ index: -1, code: 'database_unreachable' }],
			database: { reachable: false, problem: 'unreachable' }
		});
	});
});
