// All the JavaScript of the applicant's kept pages (their cases, and each case), which do not
// hydrate: it registers the service worker that keeps them, and on a copy the service worker kept
// shows the banner that src/lib/components/OfflineBanner.svelte writes hidden, with its age.
(() => {
	const banner = document.getElementById('offline-banner');
	const sw = navigator.serviceWorker;
	// Once per banner: a page the client's router rendered loads this script itself (OfflineBanner).
	if (!banner || !sw || banner.dataset.watched) return;
	banner.dataset.watched = 'true';
	const { fetchedAt, locale, offlineDays, workerType } = banner.dataset;
	sw.register(`/service-worker.js?offline-days=${offlineDays}`, { type: workerType }).catch(
		() => undefined
	);

	// As formatAge in src/lib/i18n/format.ts: the largest whole unit, "now" under a minute.
	const units = [
		['day', 86_400_000],
		['hour', 3_600_000],
		['minute', 60_000]
	];
	const age = () => {
		const elapsed = Math.max(0, Date.now() - Date.parse(fetchedAt));
		const [unit, size] = units.find(([, size]) => elapsed >= size) ?? ['second', Infinity];
		const numeric = unit === 'second' ? 'auto' : 'always';
		return new Intl.RelativeTimeFormat(locale, { numeric }).format(
			-Math.floor(elapsed / size),
			unit
		);
	};

	// The service worker says whether it gave this window a kept copy instead of the network's
	// answer (also when the phone thinks it is online but the network does not answer).
	let keptCopy = false;
	let timer;
	const update = () => {
		// The router has left the page this banner was on: stop watching for it.
		if (!banner.isConnected) {
			clearInterval(timer);
			removeEventListener('online', update);
			removeEventListener('offline', update);
			return;
		}
		const offline = keptCopy || !navigator.onLine;
		if (offline) for (const place of banner.querySelectorAll('[data-age]')) place.textContent = age();
		banner.hidden = !offline;
	};
	sw.addEventListener('message', (event) => {
		if (event.data?.type !== 'kept-copy') return;
		keptCopy = event.data.kept === true;
		update();
	});
	sw.controller?.postMessage({ type: 'kept-copy?' });
	addEventListener('online', update);
	addEventListener('offline', update);
	timer = setInterval(update, 60_000);
	update();
})();
