/**
 * Each template with the parameters its texts use. Adding a template is one line here, plus its
 * `subject` and `body` in locales/<lng>/email.json (or where `textsElsewhere` says).
 */
export const emailTemplates = {
	password_reset: ['name', 'link'],
	hearing_rebook: ['name', 'reference', 'time'],
	waitlist_offer: ['name', 'reference', 'time', 'until', 'link'],
	hearing_reminder: ['name', 'reference', 'appointment', 'time', 'place'],
	triage_sent: ['reference', 'date'],
	triage_decided: ['reference'],
	referent_invitation: ['organisation', 'inviter', 'role', 'link', 'until'],
	referent_digest: ['name', 'organisation', 'summary', 'changes', 'link', 'settings']
} as const satisfies Record<string, readonly string[]>;

export type EmailTemplate = keyof typeof emailTemplates;

/**
 * The parameters that let the reader act as the addressee (reset and invitation links, activation
 * codes). The outbox keeps a copy of each message with these blanked, which is all it shows
 * outside demo mode.
 */
export const secretParams: { [T in EmailTemplate]: readonly (typeof emailTemplates)[T][number][] } =
	{
		password_reset: ['link'],
		hearing_rebook: [],
		waitlist_offer: [],
		hearing_reminder: [],
		triage_sent: [],
		triage_decided: [],
		referent_invitation: ['link'],
		referent_digest: []
	};

/**
 * Templates whose texts are not under `<template>` in email.json. The referents' e-mails are in
 * Dutch and English only, like the referents' pages, and keep their texts beside theirs.
 */
const textsElsewhere: Partial<Record<EmailTemplate, { ns: string; key: string }>> = {
	referent_digest: { ns: 'referent', key: 'digest.email' },
	referent_invitation: { ns: 'referent', key: 'members.email' }
};

export const REDACTED = '[…]';
export type EmailParams<T extends EmailTemplate> = Record<
	(typeof emailTemplates)[T][number],
	string
>;

export interface RenderedEmail {
	subject: string;
	text: string;
}

/** Subject and plain-text body in `lang`, or in the default language when `lang` has no texts. */
export async function renderEmail<T extends EmailTemplate>(
	template: T,
	lang: string,
	params: EmailParams<T>
): Promise<RenderedEmail> {
	// Loaded on first use: $lib/i18n reads its files with Vite's import.meta.glob, which plain
	// Node (tsx) lacks, so the delivery side can run there without it.
	const { i18n, translator } = await import('$lib/i18n');
	const t = translator(lang);
	const values: Record<string, string> = params;
	const { ns, key: prefix } = textsElsewhere[template] ?? { ns: 'email', key: template };
	const part = (name: 'subject' | 'body'): string => {
		const key: string = `${prefix}.${name}`;
		if (!i18n!.exists(key, { ns, lng: lang }))
			throw new Error(`e-mail template ${template} has no ${name} in ${ns}.json`);
		return t(key, { ns, ...values });
	};
	return { subject: part('subject'), text: part('body') };
}
