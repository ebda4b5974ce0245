/**
 * The service worker's push listeners, in a scope that stands in for the browser's: what a
 * decrypted message makes the phone show, and where tapping it leads (never off the site).
 */
import { describe, expect, it } from 'vitest';
import { listenForPush } from '$lib/sw/push';

const ORIGIN = 'https://mijn-aanvraag.example';

function scope() {
	const shown: { title: string; options: NotificationOptions }[] = [];
	const opened: string[] = [];
	const pending: Promise<unknown>[] = [];
	const target = new EventTarget();
	const sw = Object.assign(target, {
		location: new URL(`${ORIGIN}/service-worker.js`),
		registration: {
			showNotification: async (title: string, options: NotificationOptions) => {
				shown.push({ title, options });
			}
		},
		clients: {
			matchAll: async () => [],
			openWindow: async (url: string) => {
				opened.push(url);
				return null;
			}
		}
	}) as unknown as ServiceWorkerGlobalScope;
	listenForPush(sw);
	const dispatch = (type: string, fields: Record<string, unknown>) => {
		const event = Object.assign(new Event(type), fields, {
			waitUntil: (p: Promise<unknown>) => pending.push(p)
		});
		target.dispatchEvent(event);
		return Promise.all(pending);
	};
	return { shown, opened, dispatch };
}

const pushEvent = (payload: unknown) => ({
	data: {
		json: () => (typeof payload === 'string' ? JSON.parse(payload) : payload)
	}
});

describe('the service worker’s push listeners', () => {
	it('show the title and sentence sent, and open the page named when tapped', async () => {
		const sw = scope();
		await sw.dispatch(
			'push',
			pushEvent({ title: 'Mijn Aanvraag', body: 'Er is nieuws.', url: '/cases', tag: 'x' })
		);
		expect(sw.shown).toEqual([
			{
				title: 'Mijn Aanvraag',
				options: { body: 'Er is nieuws.', tag: 'x', data: { url: '/cases' } }
			}
		]);
		let closed = false;
		await sw.dispatch('notificationclick', {
			notification: { data: sw.shown[0].options.data, close: () => (closed = true) }
		});
		expect(closed).toBe(true);
		expect(sw.opened).toEqual(['/cases']);
	});

	it('never lead off the site, and still show something for a message they cannot read', async () => {
		const sw = scope();
		for (const url of ['https://evil.example/', '//evil.example/x', 'javascript:alert(1)', 42])
			await sw.dispatch('push', pushEvent({ title: 'T', body: 'B', url }));
		expect(sw.shown.map((s) => (s.options.data as { url: string }).url)).toEqual([
			'/cases',
			'/cases',
			'/cases',
			'/cases'
		]);
		await sw.dispatch('push', pushEvent('not json'));
		expect(sw.shown.at(-1)?.title).toBe('Mijn Aanvraag');
	});
});
