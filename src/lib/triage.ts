/**
 * The triage vocabulary the pages and the server share (browser-safe): the limits of a request
 * and the templates of a decision's reasons. Their texts are in the locales (namespace triage).
 */
export const TRIAGE_LIMITS = {
	explanationMax: 4000,
	whatChangedMax: 2000,
	reasonTextMax: 2000,
	/** Why a second officer sends a proposed acceptance back. */
	returnReasonMax: 1000,
	maxDocuments: 5,
	maxDocumentBytes: 10 * 1024 * 1024
} as const;

export const TRIAGE_CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;

/**
 * The types an officer may see inline, as an image in the page. Not PDF: Chromium's PDF viewer
 * does not run in a sandboxed document, so a PDF stays a download that opens outside the portal.
 */
export const TRIAGE_INLINE_TYPES: readonly string[] = ['image/jpeg', 'image/png'];

/** Reason templates per outcome; the officer adds free text in plain language. */
export const REASON_TEMPLATES = {
	accepted: [
		'conditions_met',
		'health_at_risk',
		'safety_at_risk',
		'child_or_family',
		'harm_by_wait',
		'ind_error'
	],
	not_accepted: ['no_evidence', 'not_urgent', 'not_caused_by_wait', 'other_remedy', 'already_soon']
} as const;

export type TriageOutcomeName = keyof typeof REASON_TEMPLATES;
export const TRIAGE_OUTCOMES = [
	'accepted',
	'not_accepted'
] as const satisfies readonly TriageOutcomeName[];
