import { defineErrors, onField } from '$lib/server/errors';

/** Why a subscription was refused or not found. Someone else's subscription is `not_found`. */
export const pushErrors = defineErrors('push', {
	not_found: 'not_found',
	...onField('subscription', { subscription_invalid: 'invalid' })
});
