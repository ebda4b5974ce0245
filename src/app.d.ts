// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Principal } from '$lib/server/auth/principal';

declare global {
	namespace App {
		interface Error {
			message: string;
			/** Quoted by the user when they report the problem. */
			errorId?: string;
			/** Set when the database could not be reached; the page is answered with 503. */
			code?: string;
		}
		interface Locals {
			lang: string;
			user: Principal | null;
			sessionId: string | null;
			/** The language kept with the signed-in account (app_user.language). */
			accountLanguage: string | null;
			/** Set on /api/v1 requests that carried a valid API key. */
			apiKeyId: number | null;
		}
	}
}

export {};
