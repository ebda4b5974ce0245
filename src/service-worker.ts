/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute, type RouteHandlerCallbackOptions } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';
import { CacheExpiration, ExpirationPlugin } from 'workbox-expiration';
import {
	OFFLINE_DAYS_PARAM,
	OFFLINE_PAGE,
	endsPersonalCopies,
	isKeepable,
	offlineDays,
	personalPageKey
} from '$lib/offline';
import { listenForPush } from '$lib/sw/push';

const sw = self as unknown as ServiceWorkerGlobalScope;
const origin = sw.location.origin;

listenForPush(sw);

// Hashed build files never change under their name; the static files and the offline page do.
precacheAndRoute([
	...build.map((url) => ({ url, revision: null })),
	...files.map((url) => ({ url, revision: version })),
	{ url: OFFLINE_PAGE, revision: version }
]);
cleanupOutdatedCaches();

/**
 * The applicant's own case pages, as the network last gave them to this device. The server sends
 * them `private, no-store` so that no shared cache and no browser cache keeps them; the service
 * worker is the applicant's own agent and keeps its copy here, where it can delete it on sign-out.
 * One cache per version: a copy refers to the scripts and styles of the version that fetched it.
 */
const PERSONAL_PREFIX = 'personal-pages-';
const PERSONAL = `${PERSONAL_PREFIX}${version}`;
const expiry = {
	maxAgeSeconds:
		offlineDays(new URL(sw.location.href).searchParams.get(OFFLINE_DAYS_PARAM)) * 86_400,
	maxEntries: 50
};

/** Windows that were given a kept copy instead of the network's answer; each asks once. */
const servedCopies = new Set<string>();

const personalPages = new NetworkFirst({
	cacheName: PERSONAL,
	plugins: [
		{
			cacheKeyWillBeUsed: async ({ request }) =>
				personalPageKey(new URL(request.url), origin) ?? request.url,
			cacheWillUpdate: async ({ response }) => (isKeepable(response) ? response : null)
		},
		// Refuses a copy whose Date header is older than the limit, and deletes old entries.
		new ExpirationPlugin({ ...expiry, purgeOnQuotaError: true }),
		{
			cachedResponseWillBeUsed: async ({ event, cachedResponse }) => {
				if (cachedResponse && event instanceof FetchEvent)
					servedCopies.add(event.resultingClientId);
				return cachedResponse ?? null;
			}
		}
	]
});

async function offlinePage(): Promise<Response> {
	return (await matchPrecache(OFFLINE_PAGE)) ?? Response.error();
}

async function personalPage(options: RouteHandlerCallbackOptions): Promise<Response> {
	options.event.waitUntil(deleteExpiredPages());
	try {
		return await personalPages.handle(options);
	} catch {
		return offlinePage();
	}
}

registerRoute(
	({ request, url }) => request.mode === 'navigate' && personalPageKey(url, origin) !== null,
	personalPage
);
// Every other page: the network's answer as it is, never stored; the offline page without a network.
registerRoute(
	new NavigationRoute(async ({ request }) => {
		try {
			return await fetch(request);
		} catch {
			return offlinePage();
		}
	})
);

async function deletePersonalPages(): Promise<void> {
	for (const name of await caches.keys())
		if (name.startsWith(PERSONAL_PREFIX)) await caches.delete(name);
	await new CacheExpiration(PERSONAL, expiry).delete();
}

/** Copies older than the limit, by the time the server sent them (its Date header). */
async function deleteExpiredPages(): Promise<void> {
	if (!(await caches.has(PERSONAL))) return;
	const cache = await caches.open(PERSONAL);
	for (const request of await cache.keys()) {
		const sent = Date.parse((await cache.match(request))?.headers.get('Date') ?? '');
		if (!(sent >= Date.now() - expiry.maxAgeSeconds * 1000)) await cache.delete(request);
	}
}

// Signing out, signing in (perhaps as someone else) or landing on the sign-in page because the
// session ended: whoever holds the device now sees no earlier person's pages.
sw.addEventListener('fetch', (event) => {
	if (endsPersonalCopies(new URL(event.request.url), origin))
		event.waitUntil(deletePersonalPages());
});

sw.addEventListener('message', (event) => {
	const source = event.source;
	if (event.data?.type !== 'kept-copy?' || !(source instanceof Client)) return;
	source.postMessage({ type: 'kept-copy', kept: servedCopies.delete(source.id) });
});

/**
 * On activation, keep fresh copies of the personal pages that are open (the first visit loads
 * before the service worker exists) and of those an earlier version kept (their copies refer to
 * scripts and styles this version no longer has); then drop the earlier versions' caches.
 */
async function keepOpenAndEarlierPages(event: ExtendableEvent): Promise<void> {
	const addresses = new Set<string>();
	for (const client of await sw.clients.matchAll({ type: 'window', includeUncontrolled: true }))
		if (personalPageKey(new URL(client.url), origin)) addresses.add(client.url);
	const earlier = (await caches.keys()).filter(
		(name) => name.startsWith(PERSONAL_PREFIX) && name !== PERSONAL
	);
	for (const name of earlier)
		for (const request of await (await caches.open(name)).keys()) addresses.add(request.url);
	for (const url of addresses) {
		const request = new Request(url, {
			credentials: 'same-origin',
			redirect: 'manual',
			headers: { Accept: 'text/html' }
		});
		await personalPages.handle({ event, request }).catch(() => undefined);
	}
	for (const name of earlier) await caches.delete(name);
}

sw.addEventListener('install', () => void sw.skipWaiting());
sw.addEventListener('activate', (event) =>
	event.waitUntil(
		(async () => {
			await sw.clients.claim();
			await deleteExpiredPages();
			await keepOpenAndEarlierPages(event);
		})()
	)
);
