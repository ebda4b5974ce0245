import type { TFunction } from 'i18next';
import { formatDate } from '$lib/i18n/format';

/** One change to a case, as the case system sent it and the digest lists it. */
export interface DigestChange {
	type: string;
	/** ISO 8601 */
	occurredAt: string;
	data: Record<string, unknown>;
}

/** One case in a digest, with its changes in the order they happened. */
export interface DigestCase {
	reference: string;
	applicantName: string;
	product: string;
	changes: DigestChange[];
}

interface ChangeContext {
	t: TFunction;
	/** The case's product, for the names of its stages. */
	product: string;
	/** The reader's organisation, which a change of sponsor is told relative to. */
	kvk: string;
	data: Record<string, unknown>;
	/** A `YYYY-MM-DD` date from the event, in the reader's language. */
	date(value: unknown): string;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * What each event type says in the digest. A type not listed here reads as "another change",
 * with its type: a new event type is one line here and its text under referent:digest.change.
 */
const CHANGES: Record<string, (c: ChangeContext) => string> = {
	'case.submitted': ({ t }) => t('referent:digest.change.submitted'),
	'case.stage_entered': ({ t, product, data }) =>
		t('referent:digest.change.stage_entered', {
			stage: t(`domain:stage.${product}.${text(data.stage)}.name`, { defaultValue: data.stage })
		}),
	'case.decided': ({ t, data }) =>
		t('referent:digest.change.decided', { outcome: t(`domain:outcome.${text(data.outcome)}`) }),
	'case.withdrawn': ({ t }) => t('referent:digest.change.withdrawn'),
	'case.deadline_extended': ({ t, data, date }) =>
		t('referent:digest.change.deadline_extended', { deadline: date(data.deadline) }),
	'case.documents_requested': ({ t, data, date }) =>
		t('referent:digest.change.documents_requested', { date: date(data.before) }),
	'hearing.invited': ({ t, data, date }) =>
		t('referent:digest.change.hearing_invited', { date: date(data.bookBefore) }),
	'case.sponsor_changed': ({ t, data, kvk }) =>
		t(`referent:digest.change.${data.sponsorKvk === kvk ? 'sponsor_gained' : 'sponsor_lost'}`)
};

/** A change as one line of text in `lang`: "2 december 2026: Besluit genomen: toegewezen". */
export function describeChange(
	t: TFunction,
	lang: string,
	kvk: string,
	product: string,
	change: DigestChange
): string {
	const date = (value: unknown) =>
		/^\d{4}-\d{2}-\d{2}$/.test(text(value)) ? formatDate(lang, text(value)) : text(value);
	const describe = CHANGES[change.type];
	const what = describe
		? describe({ t, product, kvk, data: change.data, date })
		: t('referent:digest.change.other', { type: change.type });
	return t('referent:digest.change_line', {
		date: formatDate(lang, change.occurredAt),
		change: what
	});
}
