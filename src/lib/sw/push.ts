/// <reference lib="webworker" />
/**
 * The service worker's half of web push: shows what the server sent (a title and one sentence,
 * nothing personal) and opens the page it names when the notification is tapped. The service
 * worker calls `listenForPush(self)`.
 */

interface PushPayload {
	title?: unknown;
	body?: unknown;
	url?: unknown;
	tag?: unknown;
}

/** Only a path of this site: a message can never send the applicant elsewhere. */
function samePath(url: unknown, origin: string): string {
	if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//')) return '/cases';
	const resolved = new URL(url, origin);
	return resolved.origin === origin ? resolved.pathname + resolved.search : '/cases';
}

function read(event: PushEvent): PushPayload {
	try {
		return (event.data?.json() as PushPayload | null) ?? {};
	} catch {
		return {};
	}
}

export function listenForPush(sw: ServiceWorkerGlobalScope): void {
	sw.addEventListener('push', (event) => {
		const payload = read(event);
		const title = typeof payload.title === 'string' ? payload.title : 'Mijn Aanvraag';
		event.waitUntil(
			sw.registration.showNotification(title, {
				body: typeof payload.body === 'string' ? payload.body : undefined,
				tag: typeof payload.tag === 'string' ? payload.tag : undefined,
				data: { url: samePath(payload.url, sw.location.origin) }
			})
		);
	});

	sw.addEventListener('notificationclick', (event) => {
		event.notification.close();
		const path = samePath(
			(event.notification.data as { url?: unknown } | null)?.url,
			sw.location.origin
		);
		event.waitUntil(
			(async () => {
				const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
				const open = windows.find((w) => new URL(w.url).origin === sw.location.origin);
				if (open) {
					await open.focus();
					await open.navigate(path).catch(() => null);
				} else {
					await sw.clients.openWindow(path);
				}
			})()
		);
	});
}
