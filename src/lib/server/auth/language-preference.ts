import type { Db } from '$lib/server/db';
import { languageOf } from '$lib/i18n/languages';
import { findUserLanguage, updateUserLanguage } from './user.repository';

/** Remembers the language a signed-in person chose: their e-mails and pushes follow it. */
export async function rememberLanguage(db: Db, userId: number, code: string): Promise<void> {
	if (languageOf(code)) await updateUserLanguage(db, userId, code);
}

/** The language a person chose before, on any device; undefined when it is not one we offer. */
export async function preferredLanguage(db: Db, userId: number): Promise<string | undefined> {
	return languageOf(await findUserLanguage(db, userId))?.code;
}
