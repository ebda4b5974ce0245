/**
 * The documents the IND can ask an applicant or sponsor to send (herstel verzuim), as the case
 * system names them in a `case.documents_requested` event. Browser-safe: the server validates
 * against it and the pages translate each code (`domain:document.<code>`).
 */
export const DOCUMENT_CODES = [
	'passport',
	'birth_certificate',
	'marriage_certificate',
	'relationship_evidence',
	'employment_contract',
	'salary_statement',
	'proof_of_funds',
	'proof_of_enrolment',
	'diploma',
	'diploma_evaluation',
	'antecedents_certificate',
	'tb_test',
	'health_insurance',
	'legalisation',
	'translation',
	'passport_photo',
	'other'
] as const;

export type DocumentCode = (typeof DOCUMENT_CODES)[number];

/** At most this many documents in one request. */
export const MAX_REQUESTED_DOCUMENTS = 20;
/** The IND's own note beside a request, shown as given. */
export const MAX_DOCUMENT_NOTE = 500;
