import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { requireApplicant } from '$lib/server/auth/access';
import { DomainError } from '$lib/server/errors';
import { formFailure } from '$lib/server/http/errors';
import {
	listSubscriptions,
	subscribe,
	unsubscribe,
	vapidKeys
} from '$lib/server/push/push.service';

export const load: PageServerLoad = async ({ locals }) => {
	const user = requireApplicant(locals);
	const [keys, subscriptions] = await Promise.all([vapidKeys(db), listSubscriptions(db, user.id)]);
	return {
		applicationServerKey: keys.publicKey,
		subscriptions: subscriptions.map((s) => ({
			id: s.id,
			// The page marks "this device" by comparing with the browser's own subscription.
			endpoint: s.endpoint,
			userAgent: s.user_agent,
			createdAt: s.created_at.toISOString(),
			lastSuccessAt: s.last_success_at?.toISOString() ?? null
		}))
	};
};

async function run<T>(form: FormData, work: () => Promise<T>) {
	try {
		return await work();
	} catch (e) {
		if (e instanceof DomainError) return formFailure(e, form, ['endpoint', 'p256dh', 'auth']);
		throw e;
	}
}

export const actions: Actions = {
	subscribe: async ({ request, locals }) => {
		const user = requireApplicant(locals);
		const form = await request.formData();
		return run(form, async () => {
			await subscribe(
				db,
				user.id,
				{ endpoint: form.get('endpoint'), p256dh: form.get('p256dh'), auth: form.get('auth') },
				request.headers.get('user-agent')
			);
			return { subscribed: true };
		});
	},
	unsubscribe: async ({ request, locals }) => {
		const user = requireApplicant(locals);
		const form = await request.formData();
		const id = form.get('id');
		const endpoint = form.get('endpoint');
		if (typeof id !== 'string' && typeof endpoint !== 'string')
			return fail(400, {
				values: {},
				errors: [{ field: 'subscription', key: 'push:errors.not_found' }]
			});
		return run(form, async () => {
			await unsubscribe(
				db,
				user.id,
				typeof id === 'string' && /^\d{1,9}$/.test(id)
					? { id: Number(id) }
					: typeof endpoint === 'string'
						? { endpoint }
						: { id: NaN }
			);
			return { removed: true };
		});
	}
};
