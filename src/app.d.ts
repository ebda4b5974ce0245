// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	namespace App {
		interface Error {
			message: string;
			/** Quoted by the user when they report the problem. */
			errorId?: string;
		}
		interface Locals {
			lang: string;
		}
	}
}

export {};
