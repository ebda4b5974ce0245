/**
 * The product catalogue as data: every product (werksoort), its legal terms and its ordered
 * stages. The database holds the same rows (migration 2 wrote them, 2026_12_03_000700 added the
 * stage of missing documents; production reads them from there, see products.service.ts); this
 * typed copy serves code that runs without a database, such as the demo simulator and the
 * backtest. tests/unit/products/catalogue.test.ts checks
 * that the two agree, so a correction to one that misses the other fails the tests.
 */
import type { StageKind, TermUnit } from '$lib/server/db/schema';

export interface Term {
	value: number;
	unit: TermUnit;
}

export type ProductCode =
	| 'asiel'
	| 'nareis'
	| 'gezinshereniging'
	| 'verlenging'
	| 'kennismigrant'
	| 'studie'
	| 'naturalisatie';

export interface CatalogueStage {
	code: string;
	kind: StageKind;
	/** A known duration in days (e.g. the rest before the detailed interview). */
	fixedDays: number | null;
	/** Taken by some cases only. */
	optional: boolean;
}

export interface CatalogueProduct {
	code: ProductCode;
	term: Term;
	extension: Term | null;
	/** A service target in days shorter than the legal term, if any. */
	targetDays: number | null;
	stages: readonly CatalogueStage[];
}

type StageRow = [code: string, kind: StageKind, options?: { fixedDays?: number; optional?: true }];

const stages = (rows: StageRow[]): CatalogueStage[] =>
	rows.map(([code, kind, options]) => ({
		code,
		kind,
		fixedDays: options?.fixedDays ?? null,
		optional: options?.optional ?? false
	}));

const days = (value: number): Term => ({ value, unit: 'days' });
const months = (value: number): Term => ({ value, unit: 'months' });

const REGULAR_WITH_FEE = stages([
	['application', 'fixed'],
	['fee_payment', 'applicant'],
	['assessment', 'queue'],
	['missing_documents', 'documents', { optional: true }],
	['decision', 'final'],
	['collect_document', 'appointment']
]);
const REGULAR_VIA_SPONSOR = stages([
	['application', 'fixed'],
	['assessment', 'queue'],
	['missing_documents', 'documents', { optional: true }],
	['decision', 'final'],
	['collect_document', 'appointment']
]);

/** In the products' sort order. */
export const CATALOGUE: readonly CatalogueProduct[] = [
	{
		code: 'asiel',
		term: months(6),
		extension: months(9),
		targetDays: null,
		stages: stages([
			['registration', 'fixed'],
			['registration_interview_queue', 'queue'],
			['registration_interview', 'appointment'],
			['detailed_interview_queue', 'queue'],
			['rest_preparation', 'fixed', { fixedDays: 6 }],
			['detailed_interview', 'appointment'],
			['assessment', 'queue'],
			['intended_decision', 'applicant', { optional: true }],
			['decision', 'final']
		])
	},
	{
		code: 'nareis',
		term: months(3),
		extension: months(3),
		targetDays: null,
		stages: stages([
			['application', 'fixed'],
			['assessment', 'queue'],
			['embassy_interview', 'appointment', { optional: true }],
			['decision', 'final']
		])
	},
	{
		code: 'gezinshereniging',
		term: days(90),
		extension: days(90),
		targetDays: null,
		stages: REGULAR_WITH_FEE
	},
	{
		code: 'verlenging',
		term: days(90),
		extension: days(90),
		targetDays: null,
		stages: REGULAR_WITH_FEE
	},
	{
		code: 'kennismigrant',
		term: days(90),
		extension: days(90),
		targetDays: 14,
		stages: REGULAR_VIA_SPONSOR
	},
	{
		code: 'studie',
		term: days(60),
		extension: days(90),
		targetDays: null,
		stages: REGULAR_VIA_SPONSOR
	},
	{
		code: 'naturalisatie',
		term: months(12),
		extension: months(6),
		targetDays: null,
		stages: stages([
			['municipality_request', 'fixed'],
			['assessment', 'queue'],
			['decision', 'final'],
			['ceremony', 'final']
		])
	}
];

export function catalogueProduct(code: ProductCode): CatalogueProduct {
	return CATALOGUE.find((p) => p.code === code)!;
}
