import type { Kysely } from 'kysely';

// Decision terms are general public knowledge (Vw 2000 art. 25 and 42, RWN); they are data so
// that they can be corrected without a code change.
const products = [
	{ code: 'asiel', term_value: 6, term_unit: 'months', extension_value: 9, extension_unit: 'months', target_days: null },
	{ code: 'nareis', term_value: 3, term_unit: 'months', extension_value: 3, extension_unit: 'months', target_days: null },
	{ code: 'gezinshereniging', term_value: 90, term_unit: 'days', extension_value: 90, extension_unit: 'days', target_days: null },
	{ code: 'verlenging', term_value: 90, term_unit: 'days', extension_value: 90, extension_unit: 'days', target_days: null },
	{ code: 'kennismigrant', term_value: 90, term_unit: 'days', extension_value: 90, extension_unit: 'days', target_days: 14 },
	{ code: 'studie', term_value: 60, term_unit: 'days', extension_value: 90, extension_unit: 'days', target_days: null },
	{ code: 'naturalisatie', term_value: 12, term_unit: 'months', extension_value: 6, extension_unit: 'months', target_days: null }
] as const;

type StageRow = [code: string, kind: string, options?: { fixed_days?: number; optional?: boolean }];

const regularWithFee: StageRow[] = [
	['application', 'fixed'],
	['fee_payment', 'applicant'],
	['assessment', 'queue'],
	['decision', 'final'],
	['collect_document', 'appointment']
];
const regularViaSponsor: StageRow[] = [
	['application', 'fixed'],
	['assessment', 'queue'],
	['decision', 'final'],
	['collect_document', 'appointment']
];

const stages: Record<(typeof products)[number]['code'], StageRow[]> = {
	asiel: [
		['registration', 'fixed'],
		['registration_interview_queue', 'queue'],
		['registration_interview', 'appointment'],
		['detailed_interview_queue', 'queue'],
		['rest_preparation', 'fixed', { fixed_days: 6 }],
		['detailed_interview', 'appointment'],
		['assessment', 'queue'],
		['intended_decision', 'applicant', { optional: true }],
		['decision', 'final']
	],
	nareis: [
		['application', 'fixed'],
		['assessment', 'queue'],
		['embassy_interview', 'appointment', { optional: true }],
		['decision', 'final']
	],
	gezinshereniging: regularWithFee,
	verlenging: regularWithFee,
	kennismigrant: regularViaSponsor,
	studie: regularViaSponsor,
	naturalisatie: [
		['municipality_request', 'fixed'],
		['assessment', 'queue'],
		['decision', 'final'],
		['ceremony', 'final']
	]
};

export async function up(db: Kysely<any>): Promise<void> {
	await db
		.insertInto('product')
		.values(products.map((p, i) => ({ ...p, sort_order: i + 1 })))
		.execute();
	await db
		.insertInto('stage')
		.values(
			products.flatMap((p) =>
				stages[p.code].map(([code, kind, options], i) => ({
					product_code: p.code,
					code,
					position: i + 1,
					kind,
					fixed_days: options?.fixed_days ?? null,
					optional: options?.optional ?? false
				}))
			)
		)
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.deleteFrom('stage').execute();
	await db.deleteFrom('product').execute();
}
