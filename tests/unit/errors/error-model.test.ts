import { describe, expect, it } from 'vitest';
import { isActionFailure, isRedirect, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { DomainError, defineErrors, onField } from '$lib/server/errors';
import {
	formFailure,
	pageError,
	problemResponse,
	statusOf,
	submitForm
} from '$lib/server/http/errors';

const shop = defineErrors('shop', {
	sold_out: { kind: 'conflict', field: 'item' },
	unknown: { kind: 'not_found', key: 'errors.not_found' },
	busy: { kind: 'throttled', field: 'item' }
});

function formOf(values: Record<string, string>): FormData {
	const form = new FormData();
	for (const [k, v] of Object.entries(values)) form.set(k, v);
	return form;
}

describe('the error model', () => {
	it('knows its domain and codes; other errors are not its own', () => {
		const err = shop.error('sold_out');
		expect(err).toBeInstanceOf(DomainError);
		expect(shop.is(err)).toBe(true);
		expect(shop.is(err, 'sold_out')).toBe(true);
		expect(shop.is(err, 'unknown')).toBe(false);
		expect(shop.is(new Error('sold_out'))).toBe(false);
		expect(defineErrors('other', { sold_out: { kind: 'conflict' } }).is(err)).toBe(false);
		expect(err.key).toBe('shop:errors.sold_out');
		expect(shop.error('unknown').key).toBe('errors.not_found');
		expect(shop.error('sold_out', { field: 'other' }).field).toBe('other');
	});

	it('takes a kind alone for a code, and one field for several codes', () => {
		const till = defineErrors('till', {
			closed: 'unavailable',
			...onField('card', { declined: 'invalid', expired: 'gone' })
		});
		expect(till.codes).toEqual({
			closed: { kind: 'unavailable' },
			declined: { kind: 'invalid', field: 'card' },
			expired: { kind: 'gone', field: 'card' }
		});
		expect(till.error('closed')).toMatchObject({ kind: 'unavailable', field: '' });
		expect(till.error('closed').key).toBe('till:errors.closed');
		expect(till.error('expired')).toMatchObject({ kind: 'gone', field: 'card' });
	});

	it('maps each kind to one status, in one place', () => {
		expect(statusOf('invalid')).toBe(400);
		expect(statusOf('not_found')).toBe(404);
		expect(statusOf('conflict')).toBe(409);
		expect(statusOf('throttled')).toBe(429);
		expect(statusOf('unavailable')).toBe(503);
	});
});

describe('an API problem document (RFC 9457)', () => {
	it('has type, title, status, detail and code, and the errors list clients read', async () => {
		const res = problemResponse(shop.error('sold_out', { detail: 'item 7 is sold out' }));
		expect(res.status).toBe(409);
		expect(res.headers.get('content-type')).toBe('application/problem+json');
		expect(res.headers.get('cache-control')).toBe('no-store');
		expect(await res.json()).toEqual({
			type: 'tag:mijn-aanvraag.ind.nl,2026:problem/shop/sold_out',
			title: 'Conflicts with the current state',
			status: 409,
			detail: 'item 7 is sold out',
			code: 'sold_out',
			errors: [{ index: -1, field: 'item', code: 'sold_out', message: 'item 7 is sold out' }]
		});
	});

	it('keeps a batch’s own errors list, and says when to retry', async () => {
		const items = [{ index: 3, field: 'type', message: 'is unknown' }];
		const retryAt = new Date(Date.now() + 30_000);
		const res = problemResponse(shop.error('busy', { errors: items, retryAt }));
		expect(res.status).toBe(429);
		expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
		expect((await res.json()).errors).toEqual(items);
	});
});

describe('a form', () => {
	const schema = z.object({ item: z.string().min(1, 'shop:errors.item_required') });

	it('gets every field error with the values echoed, before the service runs', async () => {
		let ran = false;
		const result = await submitForm(formOf({ item: '', password: 'secret' }), schema, () => {
			ran = true;
		});
		expect(ran).toBe(false);
		expect(isActionFailure(result)).toBe(true);
		if (!isActionFailure(result)) return;
		expect(result.status).toBe(400);
		expect(result.data).toEqual({
			values: { item: '' },
			errors: [{ field: 'item', key: 'shop:errors.item_required' }]
		});
	});

	it('shows a refusal of the service at its field, with the status of its kind', async () => {
		const retryAt = new Date('2026-12-01T10:00:00Z');
		const result = await submitForm<typeof schema, void>(formOf({ item: 'lamp' }), schema, () => {
			throw shop.error('busy', { retryAt });
		});
		expect(isActionFailure(result)).toBe(true);
		const failure = result as Exclude<typeof result, void>;
		expect(failure.status).toBe(429);
		expect(failure.data.errors).toEqual([
			{ field: 'item', key: 'shop:errors.busy', params: { time: retryAt.toISOString() } }
		]);
		expect(failure.data.values).toEqual({ item: 'lamp' });
	});

	it('lets a redirect and unexpected errors through', async () => {
		const redirected = submitForm(formOf({ item: 'lamp' }), schema, () => redirect(303, '/done'));
		await expect(redirected).rejects.toSatisfy(isRedirect);
		const broken = submitForm(formOf({ item: 'lamp' }), schema, () => {
			throw new TypeError('bug');
		});
		await expect(broken).rejects.toBeInstanceOf(TypeError);
		expect(formFailure(shop.error('sold_out'), formOf({ item: 'x' })).status).toBe(409);
	});
});

describe('a page', () => {
	it('shows the error page of the kind, in the reader’s language', () => {
		try {
			pageError(shop.error('unknown'), 'nl');
			throw new Error('not thrown');
		} catch (e) {
			expect(e).toMatchObject({ status: 404, body: { code: 'unknown' } });
			expect((e as { body: { message: string } }).body.message).not.toBe('errors.not_found');
		}
	});
});
