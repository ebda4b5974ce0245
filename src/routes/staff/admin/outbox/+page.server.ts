import type { PageServerLoad } from './$types';
import { requirePrincipal } from '$lib/server/auth/access';
import { db } from '$lib/server/db';
import { findOutbox } from '$lib/server/notify/email.service';
import { recordAudit } from '$lib/server/audit/audit.service';
import { actorOf } from '$lib/server/auth/principal';

const SHOWN = 50;

export const load: PageServerLoad = async ({ locals, getClientAddress }) => {
	const admin = requirePrincipal(locals, 'admin');
	const smtp = !!process.env.SMTP_URL;
	const messages = await findOutbox(db, SHOWN);
	await recordAudit(db, actorOf(admin, 'admin', getClientAddress()), {
		action: 'admin.outbox_read',
		details: { messages: messages.length, redacted: messages[0]?.redacted ?? true }
	});
	return {
		// Outside demo mode the bodies come with their links and codes blanked (findOutbox).
		messages,
		shown: SHOWN,
		smtp
	};
};
