/**
 * The products as the simulator runs them: the catalogue's products and stages (from the
 * products domain, never a copy of migration 2) with the demand and capacity of each, and the
 * sponsors that file for some of them.
 */
import {
	CATALOGUE,
	type CatalogueProduct,
	type CatalogueStage,
	type ProductCode
} from '$lib/server/products/catalogue';
import type { Outcome } from '$lib/server/db/schema';
import { days, type Stay } from './calendar';

export type { ProductCode };

// Annual inflow at scale 1.0, in the proportions of the IND's own figures ("Stand van de
// Uitvoering" 2024: 140,210 first regular applications in 2023 — arbeid, gezin, studie and
// naturalisatie together — and over 38,000 first asylum applications; the 2021 review expects
// over 55,000 naturalisation requests a year).
export const FIRST_REGULAR_PER_YEAR = 140_210;
export const ASYLUM_PER_YEAR = 38_000;
export const NATURALISATION_PER_YEAR = 55_000;
// Nareis (family members following a refugee) is about a tenth of asylum inflow: an assumption,
// the IND's reports give no figure.
export const FAMILY_REUNION_OF_REFUGEES_PER_YEAR = Math.round(ASYLUM_PER_YEAR * 0.1);
// How the regular volume besides naturalisation (85,210) splits over the other regular
// products: an assumption in line with the IND's public yearly figures, where family and work
// migration are the largest groups and study follows; extensions are the smallest share here.
export const REGULAR_SHARES = {
	gezinshereniging: 0.35,
	kennismigrant: 0.25,
	studie: 0.25,
	verlenging: 0.15
} as const;
const OTHER_REGULAR_PER_YEAR = FIRST_REGULAR_PER_YEAR - NATURALISATION_PER_YEAR;

export const DEMO_TECH_KVK = '90000001';
/** Demo Tech sponsors this share of all kennismigrant cases: about 320 at scale 0.02. */
export const DEMO_TECH_SHARE_OF_KENNISMIGRANT = 0.25;

export interface Sponsor {
	kvk: string;
	name: string;
}

export const SPONSORS: readonly Sponsor[] = [
	{ kvk: DEMO_TECH_KVK, name: 'Demo Tech B.V.' },
	{ kvk: '90000002', name: 'Polder Photonics B.V.' },
	{ kvk: '90000003', name: 'Zuidas Advisory B.V.' },
	{ kvk: '90000004', name: 'Universiteit van Deltastad' },
	{ kvk: '90000005', name: 'Hogeschool Noordkust' },
	{ kvk: '90000006', name: 'Havenstad Medisch Centrum' }
];

export const SPONSOR_MIX: Partial<Record<ProductCode, readonly (readonly [string, number])[]>> = {
	kennismigrant: [
		[DEMO_TECH_KVK, DEMO_TECH_SHARE_OF_KENNISMIGRANT],
		['90000002', 0.25],
		['90000003', 0.2],
		['90000004', 0.15],
		['90000006', 0.15]
	],
	studie: [
		['90000004', 0.6],
		['90000005', 0.4]
	]
};

/** From this month of the history on (0 = the first), a queue's capacity is `factor` × demand. */
export type CapacityStep = readonly [fromMonth: number, factor: number];

/** How the simulator runs one stage of the catalogue. */
interface StageRun {
	/**
	 * Who takes an optional stage: refusals, a share of all cases, or only the cases the demo
	 * pins (a request for documents says what is missing, which the simulated history does not).
	 */
	takenBy?: 'refusal' | 'pinned' | number;
	/** How long a case stays before the next stage (for the decision: before the stage after it). */
	stay?: Stay;
	capacity?: readonly CapacityStep[];
}

export type StageModel = CatalogueStage & StageRun;

interface Demand {
	perYear: number;
	outcomes: readonly (readonly [Outcome, number])[];
	/** Month-to-month inflow volatility (σ of a log random walk). */
	volatility: number;
	season: readonly number[];
	languages: readonly (readonly [string, number])[];
	ages: readonly [number, number];
	emailShare: number;
	extensionReasons: readonly string[];
	/** By stage code; a stage without an entry runs with the defaults. */
	stages: Readonly<Record<string, StageRun>>;
}

export type ProductModel = Omit<CatalogueProduct, 'stages'> &
	Omit<Demand, 'stages'> & { stages: readonly StageModel[] };

const FLAT_SEASON = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
const REGULAR_REASONS = [
	'Advies van een andere organisatie is nodig',
	'Onderzoek naar documenten duurt langer'
];

function regularStages(withFee: boolean, capacity: readonly CapacityStep[]) {
	return {
		application: { stay: withFee ? days(0, 1) : days(0, 2) },
		fee_payment: { stay: days(2, 10) },
		assessment: { capacity },
		missing_documents: { takenBy: 'pinned' as const },
		decision: { stay: days(2, 7) }
	};
}

/** A product's demand from its share of the regular inflow besides naturalisation. */
function regular(
	share: keyof typeof REGULAR_SHARES,
	demand: Omit<Demand, 'perYear' | 'season' | 'extensionReasons'> & { season?: readonly number[] }
): Demand {
	return {
		perYear: Math.round(OTHER_REGULAR_PER_YEAR * REGULAR_SHARES[share]),
		season: FLAT_SEASON,
		extensionReasons: REGULAR_REASONS,
		...demand
	};
}

// Capacity steps are the staffing history of each queue (hiring, reorganisations, staff moved
// to other work). The last step decides whether a queue grows (< 1) or shrinks (> 1) at `now`.
const DEMAND: Record<ProductCode, Demand> = {
	asiel: {
		perYear: ASYLUM_PER_YEAR,
		stages: {
			registration: { stay: days(1, 3) },
			registration_interview_queue: {
				capacity: [
					[0, 1.0],
					[8, 0.85],
					[31, 1.25]
				]
			},
			registration_interview: { stay: days(3, 21) },
			detailed_interview_queue: {
				capacity: [
					[0, 1.05],
					[12, 0.9],
					[26, 0.8]
				]
			},
			rest_preparation: { stay: { exactDays: 6 } },
			detailed_interview: { stay: days(2, 14) },
			assessment: {
				capacity: [
					[0, 0.95],
					[10, 0.7],
					[32, 0.95]
				]
			},
			intended_decision: { takenBy: 'refusal', stay: days(14, 28) }
		},
		outcomes: [
			['granted', 0.6],
			['refused', 0.33],
			['other', 0.07]
		],
		volatility: 0.35,
		season: [0.8, 0.75, 0.8, 0.85, 0.9, 1, 1.1, 1.2, 1.3, 1.25, 1.05, 0.9],
		languages: [
			['ar', 0.28],
			['tr', 0.14],
			['fa', 0.14],
			['ti', 0.12],
			['so', 0.06],
			['en', 0.08],
			['fr', 0.06],
			['ru', 0.05],
			['uk', 0.03],
			['es', 0.04]
		],
		ages: [16, 60],
		emailShare: 0.3,
		extensionReasons: [
			'Veel aanvragen tegelijk (art. 42 lid 4 Vw 2000)',
			'Ingewikkelde zaak: extra onderzoek nodig'
		]
	},
	nareis: {
		perYear: FAMILY_REUNION_OF_REFUGEES_PER_YEAR,
		stages: {
			application: { stay: days(1, 5) },
			assessment: {
				capacity: [
					[0, 1.05],
					[20, 0.8]
				]
			},
			embassy_interview: { takenBy: 0.2, stay: days(14, 56) }
		},
		outcomes: [
			['granted', 0.75],
			['refused', 0.2],
			['other', 0.05]
		],
		volatility: 0.25,
		season: FLAT_SEASON,
		languages: [
			['ar', 0.35],
			['ti', 0.3],
			['fa', 0.1],
			['so', 0.1],
			['en', 0.1],
			['fr', 0.05]
		],
		ages: [0, 60],
		emailShare: 0.4,
		extensionReasons: ['Onderzoek naar de familieband duurt langer', 'DNA-onderzoek is nodig']
	},
	gezinshereniging: regular('gezinshereniging', {
		stages: regularStages(true, [
			[0, 1.05],
			[14, 0.88]
		]),
		outcomes: [
			['granted', 0.72],
			['refused', 0.23],
			['other', 0.05]
		],
		volatility: 0.1,
		languages: [
			['en', 0.25],
			['tr', 0.15],
			['nl', 0.15],
			['ar', 0.1],
			['es', 0.1],
			['zh', 0.05],
			['hi', 0.05],
			['ru', 0.05],
			['uk', 0.05],
			['fr', 0.05]
		],
		ages: [0, 65],
		emailShare: 0.6
	}),
	verlenging: regular('verlenging', {
		stages: regularStages(true, [
			[0, 0.9],
			[31, 1.15]
		]),
		outcomes: [
			['granted', 0.92],
			['refused', 0.06],
			['other', 0.02]
		],
		volatility: 0.08,
		languages: [
			['en', 0.3],
			['nl', 0.2],
			['tr', 0.1],
			['ar', 0.1],
			['uk', 0.1],
			['es', 0.1],
			['zh', 0.1]
		],
		ages: [18, 70],
		emailShare: 0.7
	}),
	kennismigrant: regular('kennismigrant', {
		stages: regularStages(false, [
			[0, 1.1],
			[22, 0.99],
			[33, 1.05]
		]),
		outcomes: [
			['granted', 0.97],
			['refused', 0.02],
			['other', 0.01]
		],
		volatility: 0.08,
		languages: [
			['en', 0.6],
			['hi', 0.15],
			['zh', 0.1],
			['tr', 0.05],
			['es', 0.05],
			['ru', 0.05]
		],
		ages: [22, 55],
		emailShare: 0.9
	}),
	studie: regular('studie', {
		stages: regularStages(false, [
			[0, 1.1],
			[16, 0.95],
			[28, 1.15]
		]),
		outcomes: [
			['granted', 0.96],
			['refused', 0.03],
			['other', 0.01]
		],
		volatility: 0.08,
		// Students apply before the academic year starts.
		season: [0.6, 0.6, 0.7, 0.8, 1.0, 1.3, 1.8, 2.0, 1.2, 0.7, 0.6, 0.7],
		languages: [
			['en', 0.5],
			['zh', 0.2],
			['hi', 0.1],
			['es', 0.1],
			['tr', 0.05],
			['de', 0.05]
		],
		ages: [17, 30],
		emailShare: 0.95
	}),
	naturalisatie: {
		perYear: NATURALISATION_PER_YEAR,
		stages: {
			municipality_request: { stay: days(3, 20) },
			assessment: {
				capacity: [
					[0, 1.0],
					[10, 1.1],
					[20, 0.85]
				]
			},
			decision: { stay: days(21, 90) }
		},
		outcomes: [
			['granted', 0.93],
			['refused', 0.05],
			['other', 0.02]
		],
		volatility: 0.1,
		season: FLAT_SEASON,
		languages: [
			['nl', 0.5],
			['en', 0.15],
			['ar', 0.1],
			['tr', 0.1],
			['fa', 0.05],
			['ti', 0.05],
			['uk', 0.05]
		],
		ages: [18, 70],
		emailShare: 0.7,
		extensionReasons: [
			'Advies van de gemeente duurt langer',
			'Onderzoek naar documenten duurt langer'
		]
	}
};

/** Every product of the catalogue, in its order, with the demand the simulator gives it. */
export const PRODUCT_MODELS: readonly ProductModel[] = CATALOGUE.map((product) => {
	const { stages: runs, ...demand } = DEMAND[product.code];
	return {
		...product,
		...demand,
		stages: product.stages.map((stage) => ({ ...stage, ...runs[stage.code] }))
	};
});

export function modelOf(code: ProductCode): ProductModel {
	return PRODUCT_MODELS.find((m) => m.code === code)!;
}
