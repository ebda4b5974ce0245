import type { Db } from '$lib/server/db';
import { languageOf } from '$lib/i18n/languages';
import { updateUserLanguage } from './user.repository';

/** Remembers the language a signed-in person chose: their e-mails and pushes follow it. */
export async function rememberLanguage(db: Db, userId: number, code: string): Promise<void> {
	if (languageOf(code)) await updateUserLanguage(db, userId, code);
}
