import { stringify } from 'csv-stringify/sync';
import { dutchDate } from '$lib/time';
import type { WorkspaceRow } from './workspace.service';

/** Stable column names, as in the waiting-time export; names in the reader's language beside the codes. */
export const EXPORT_COLUMNS = [
	'reference',
	'applicant_name',
	'v_number',
	'product',
	'product_name',
	'stage',
	'stage_name',
	'status',
	'outcome',
	'submitted_on',
	'deadline',
	'days_left',
	'needs_action',
	'queue_position',
	'queue_waiting',
	'turn_from',
	'turn_to',
	'turn_unit',
	'documents_missing',
	'documents_before'
] as const;

/**
 * A spreadsheet program runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
 * return as a formula: a name sent in as `=HYPERLINK(…)` would run on the referent's computer.
 * Such a text is written with a `'` before it (OWASP's advice), so it shows as typed.
 */
export function neutralise(text: string): string {
	return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Names a product or stage in the reader's language (`translator(lang)`). */
type Names = (key: string, options: { defaultValue: string }) => string;

/** The rows of one batch as CSV lines; `first` adds the byte order mark and the header. */
export function workspaceCsv(rows: WorkspaceRow[], t: Names, first: boolean): string {
	return stringify(
		rows.map((r) => ({
			reference: r.reference,
			applicant_name: r.applicantName,
			v_number: r.vNumber ?? '',
			product: r.product,
			product_name: t(`domain:product.${r.product}.name`, { defaultValue: r.product }),
			stage: r.stage,
			stage_name: t(`domain:stage.${r.product}.${r.stage}.name`, { defaultValue: r.stage }),
			status: r.status,
			outcome: r.outcome ?? '',
			submitted_on: dutchDate(new Date(r.submittedAt)),
			deadline: r.deadline,
			days_left: r.daysLeft ?? '',
			needs_action: r.needsAction ? 'yes' : 'no',
			queue_position: r.queue?.position ?? '',
			queue_waiting: r.queue?.waiting ?? '',
			turn_from: r.queue?.turn?.low ?? '',
			turn_to: r.queue?.turn?.high ?? '',
			turn_unit: r.queue?.turn?.unit ?? '',
			// Codes, as the event API names them, one space apart.
			documents_missing: r.documents?.missing.join(' ') ?? '',
			documents_before: r.documents?.sendBefore ?? ''
		})),
		{
			header: first,
			bom: first,
			columns: [...EXPORT_COLUMNS],
			cast: { string: neutralise }
		}
	);
}
