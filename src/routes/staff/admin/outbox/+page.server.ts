import type { PageServerLoad } from './$types';
import { db } from '$lib/server/db';
import { findOutbox } from '$lib/server/notify/email.service';

const SHOWN = 50;

export const load: PageServerLoad = async () => {
	return { messages: await findOutbox(db, SHOWN), shown: SHOWN, smtp: !!process.env.SMTP_URL };
};
