/**
 * A deterministic, pure generator of a demo history of case events: the same events the case
 * system (INDiGO) would send through the event API. No database access; seed.ts ingests them.
 */
import {
	addDays,
	addMonths,
	isWorkingDay,
	latestExtendedDeadline,
	legalDeadline,
	nextWorkingDay,
	type IsoDate,
	type Term
} from '$lib/server/cases/deadline';
import type { EventType } from '$lib/server/events/event.validation';
import type { Outcome, StageKind } from '$lib/server/db/schema';

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

export const HISTORY_YEARS = 3;
/** Applicants who mean to withdraw; those decided first do not, so a few per cent do. */
export const WITHDRAWAL_SHARE = 0.08;
/** Of the cases that run past their legal deadline, this share gets a formal extension. */
export const EXTENSION_SHARE_OF_OVERDUE = 0.05;

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

const SPONSOR_MIX: Partial<Record<ProductCode, readonly (readonly [string, number])[]>> = {
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

/** The fixed demo cases that demo accounts attach to; always in the simulated history. */
export const DEMO_ASYLUM_CASE = {
	reference: 'IND-2026-90000001',
	vNumber: '1000000001',
	name: 'Demo Applicant',
	product: 'asiel',
	/** The queue the case waits in at `now`. */
	stage: 'detailed_interview_queue'
} as const;

export const DEMO_SPONSORED_CASE = {
	reference: 'IND-2026-90000002',
	vNumber: '1000000002',
	name: 'Arjun Mehta',
	product: 'kennismigrant',
	sponsorKvk: DEMO_TECH_KVK,
	stage: 'assessment'
} as const;

export type ProductCode =
	| 'asiel'
	| 'nareis'
	| 'gezinshereniging'
	| 'verlenging'
	| 'kennismigrant'
	| 'studie'
	| 'naturalisatie';

type Stay = { minDays: number; maxDays: number } | { exactDays: number };
/** From this month of the history on (0 = the first), a queue's capacity is `factor` × demand. */
type CapacityStep = readonly [fromMonth: number, factor: number];

export interface StageModel {
	code: string;
	kind: StageKind;
	fixedDays?: number;
	/** Optional stages are taken only by some cases: refusals, or a share of all cases. */
	optional?: 'refusal' | number;
	/** How long a case stays before the next stage (for the decision: before the stage after it). */
	stay?: Stay;
	capacity?: readonly CapacityStep[];
}

export interface ProductModel {
	code: ProductCode;
	perYear: number;
	term: Term;
	extension: Term | null;
	stages: readonly StageModel[];
	outcomes: readonly (readonly [Outcome, number])[];
	/** Month-to-month inflow volatility (σ of a log random walk). */
	volatility: number;
	season: readonly number[];
	languages: readonly (readonly [string, number])[];
	ages: readonly [number, number];
	emailShare: number;
	extensionReasons: readonly string[];
}

const days = (minDays: number, maxDays: number): Stay => ({ minDays, maxDays });
const FLAT_SEASON = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
const REGULAR_REASONS = [
	'Advies van een andere organisatie is nodig',
	'Onderzoek naar documenten duurt langer'
];

function regularStages(withFee: boolean, capacity: readonly CapacityStep[]): StageModel[] {
	return [
		{ code: 'application', kind: 'fixed', stay: withFee ? days(0, 1) : days(0, 2) },
		...(withFee ? [{ code: 'fee_payment', kind: 'applicant' as const, stay: days(2, 10) }] : []),
		{ code: 'assessment', kind: 'queue', capacity },
		{ code: 'decision', kind: 'final', stay: days(2, 7) },
		{ code: 'collect_document', kind: 'appointment' }
	];
}

// Capacity steps are the staffing history of each queue (hiring, reorganisations, staff moved
// to other work). The last step decides whether a queue grows (< 1) or shrinks (> 1) at `now`.
export const PRODUCT_MODELS: readonly ProductModel[] = [
	{
		code: 'asiel',
		perYear: ASYLUM_PER_YEAR,
		term: { value: 6, unit: 'months' },
		extension: { value: 9, unit: 'months' },
		stages: [
			{ code: 'registration', kind: 'fixed', stay: days(1, 3) },
			{
				code: 'registration_interview_queue',
				kind: 'queue',
				capacity: [
					[0, 1.0],
					[8, 0.85],
					[31, 1.25]
				]
			},
			{ code: 'registration_interview', kind: 'appointment', stay: days(3, 21) },
			{
				code: 'detailed_interview_queue',
				kind: 'queue',
				capacity: [
					[0, 1.05],
					[12, 0.9],
					[26, 0.8]
				]
			},
			{ code: 'rest_preparation', kind: 'fixed', fixedDays: 6, stay: { exactDays: 6 } },
			{ code: 'detailed_interview', kind: 'appointment', stay: days(2, 14) },
			{
				code: 'assessment',
				kind: 'queue',
				capacity: [
					[0, 0.95],
					[10, 0.7],
					[32, 0.95]
				]
			},
			{ code: 'intended_decision', kind: 'applicant', optional: 'refusal', stay: days(14, 28) },
			{ code: 'decision', kind: 'final' }
		],
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
	{
		code: 'nareis',
		perYear: FAMILY_REUNION_OF_REFUGEES_PER_YEAR,
		term: { value: 3, unit: 'months' },
		extension: { value: 3, unit: 'months' },
		stages: [
			{ code: 'application', kind: 'fixed', stay: days(1, 5) },
			{
				code: 'assessment',
				kind: 'queue',
				capacity: [
					[0, 1.05],
					[20, 0.8]
				]
			},
			{ code: 'embassy_interview', kind: 'appointment', optional: 0.2, stay: days(14, 56) },
			{ code: 'decision', kind: 'final' }
		],
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
	{
		code: 'gezinshereniging',
		perYear: Math.round(OTHER_REGULAR_PER_YEAR * REGULAR_SHARES.gezinshereniging),
		term: { value: 90, unit: 'days' },
		extension: { value: 90, unit: 'days' },
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
		season: FLAT_SEASON,
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
		emailShare: 0.6,
		extensionReasons: REGULAR_REASONS
	},
	{
		code: 'verlenging',
		perYear: Math.round(OTHER_REGULAR_PER_YEAR * REGULAR_SHARES.verlenging),
		term: { value: 90, unit: 'days' },
		extension: { value: 90, unit: 'days' },
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
		season: FLAT_SEASON,
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
		emailShare: 0.7,
		extensionReasons: REGULAR_REASONS
	},
	{
		code: 'kennismigrant',
		perYear: Math.round(OTHER_REGULAR_PER_YEAR * REGULAR_SHARES.kennismigrant),
		term: { value: 90, unit: 'days' },
		extension: { value: 90, unit: 'days' },
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
		season: FLAT_SEASON,
		languages: [
			['en', 0.6],
			['hi', 0.15],
			['zh', 0.1],
			['tr', 0.05],
			['es', 0.05],
			['ru', 0.05]
		],
		ages: [22, 55],
		emailShare: 0.9,
		extensionReasons: REGULAR_REASONS
	},
	{
		code: 'studie',
		perYear: Math.round(OTHER_REGULAR_PER_YEAR * REGULAR_SHARES.studie),
		term: { value: 60, unit: 'days' },
		extension: { value: 90, unit: 'days' },
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
		emailShare: 0.95,
		extensionReasons: REGULAR_REASONS
	},
	{
		code: 'naturalisatie',
		perYear: NATURALISATION_PER_YEAR,
		term: { value: 12, unit: 'months' },
		extension: { value: 6, unit: 'months' },
		stages: [
			{ code: 'municipality_request', kind: 'fixed', stay: days(3, 20) },
			{
				code: 'assessment',
				kind: 'queue',
				capacity: [
					[0, 1.0],
					[10, 1.1],
					[20, 0.85]
				]
			},
			{ code: 'decision', kind: 'final', stay: days(21, 90) },
			{ code: 'ceremony', kind: 'final' }
		],
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
];

const NAMES: Record<string, { first: readonly string[]; last: readonly string[] }> = {
	ar: {
		first: [
			'Mohammed',
			'Ahmad',
			'Omar',
			'Yusuf',
			'Fatima',
			'Amal',
			'Rania',
			'Layla',
			'Khaled',
			'Noor'
		],
		last: ['Haddad', 'Al-Hassan', 'Khalil', 'Ibrahim', 'Mansour', 'Saleh', 'Darwish', 'Nasser']
	},
	tr: {
		first: ['Mehmet', 'Ayse', 'Emre', 'Zeynep', 'Murat', 'Elif', 'Burak', 'Fatma'],
		last: ['Yilmaz', 'Kaya', 'Demir', 'Sahin', 'Celik', 'Aydin', 'Ozturk']
	},
	fa: {
		first: ['Ali', 'Reza', 'Zahra', 'Maryam', 'Hossein', 'Shirin', 'Farid', 'Sahar'],
		last: ['Ahmadi', 'Hosseini', 'Rahimi', 'Karimi', 'Sultani', 'Hakimi', 'Noori']
	},
	ti: {
		first: ['Yonas', 'Selam', 'Tesfay', 'Helen', 'Dawit', 'Senait', 'Filmon', 'Luwam'],
		last: ['Tesfamariam', 'Gebremedhin', 'Haile', 'Berhane', 'Tekle', 'Ghebreyesus']
	},
	so: {
		first: ['Abdi', 'Hodan', 'Mohamed', 'Sahra', 'Farah', 'Ifrah'],
		last: ['Warsame', 'Hassan', 'Abdullahi', 'Osman', 'Jama']
	},
	en: {
		first: [
			'James',
			'Emily',
			'Daniel',
			'Grace',
			'Michael',
			'Sarah',
			'David',
			'Olivia',
			'Samuel',
			'Chloe'
		],
		last: ['Smith', 'Johnson', 'Brown', 'Okafor', 'Williams', 'Taylor', 'Mensah', 'Walker']
	},
	fr: {
		first: ['Jean', 'Marie', 'Aminata', 'Moussa', 'Claire', 'Ibrahima'],
		last: ['Diallo', 'Traore', 'Martin', 'Kabila', 'Dubois', 'Mbeki']
	},
	ru: {
		first: ['Dmitri', 'Anna', 'Sergei', 'Olga', 'Ivan', 'Natalia'],
		last: ['Ivanov', 'Petrova', 'Smirnov', 'Volkova', 'Sokolov']
	},
	uk: {
		first: ['Oleksandr', 'Olena', 'Andriy', 'Iryna', 'Taras', 'Kateryna'],
		last: ['Shevchenko', 'Kovalenko', 'Bondarenko', 'Tkachenko', 'Melnyk']
	},
	es: {
		first: ['Carlos', 'Maria', 'Javier', 'Lucia', 'Diego', 'Valentina'],
		last: ['Garcia', 'Rodriguez', 'Martinez', 'Lopez', 'Gonzalez', 'Fernandez']
	},
	nl: {
		first: ['Jan', 'Sanne', 'Pieter', 'Fleur', 'Daan', 'Lotte', 'Ahmed', 'Noa'],
		last: ['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'van Dijk', 'Bouali']
	},
	zh: {
		first: ['Wei', 'Fang', 'Jun', 'Li', 'Hao', 'Xin', 'Yan'],
		last: ['Wang', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang']
	},
	hi: {
		first: ['Arjun', 'Priya', 'Rahul', 'Ananya', 'Vikram', 'Neha', 'Rohan'],
		last: ['Sharma', 'Patel', 'Iyer', 'Reddy', 'Gupta', 'Nair']
	},
	de: {
		first: ['Lukas', 'Lea', 'Jonas', 'Hannah', 'Felix', 'Mia'],
		last: ['Muller', 'Schmidt', 'Schneider', 'Fischer', 'Weber']
	}
};

const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'];
const OFFICE_START_MINUTES = 8 * 60 + 30;
const OFFICE_MINUTES = 8 * 60 + 30;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const WORKING_DAYS_PER_WEEK = 5;
/** Capacity follows demand with a lag: the average inflow of the months before. */
const CAPACITY_LAG_MONTHS = 4;

export interface DemoEvent {
	id: string;
	type: EventType;
	occurredAt: string;
	case: string;
	data: Record<string, unknown>;
}

export interface SimulatedCase {
	reference: string;
	product: ProductCode;
	vNumber: string;
	sponsorKvk: string | null;
	events: DemoEvent[];
}

export interface Simulation {
	now: Date;
	historyStart: Date;
	cases: SimulatedCase[];
	/** All events of all cases, in the order they happened. */
	events: DemoEvent[];
}

export interface SimulationOptions {
	scale: number;
	now?: Date;
	seed?: number;
}

export const DEFAULT_SEED = 20231;

export interface Random {
	next(): number;
	int(min: number, max: number): number;
	chance(p: number): boolean;
	pick<T>(items: readonly T[]): T;
	weighted<T>(entries: readonly (readonly [T, number])[]): T;
	normal(): number;
	uuid(): string;
}

/** mulberry32: small, fast and good enough for demo data; the same seed gives the same history. */
export function createRandom(seed: number): Random {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
	const hex = (n: number) =>
		Math.floor(next() * 16 ** n)
			.toString(16)
			.padStart(n, '0');
	const random: Random = {
		next,
		int: (min, max) => min + Math.floor(next() * (max - min + 1)),
		chance: (p) => next() < p,
		pick: (items) => items[Math.floor(next() * items.length)],
		weighted(entries) {
			const total = entries.reduce((sum, [, w]) => sum + w, 0);
			let r = next() * total;
			for (const [value, weight] of entries) {
				r -= weight;
				if (r < 0) return value;
			}
			return entries[entries.length - 1][0];
		},
		normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
		// Version 4 layout: the 13th digit is 4, the 17th one of 8, 9, a, b.
		uuid: () =>
			`${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(next() * 4)).toString(16)}${hex(3)}-${hex(6)}${hex(6)}`
	};
	return random;
}

const summerTimeCache = new Map<number, [number, number]>();

function lastSundayAtOneUtc(year: number, month: number): number {
	const last = new Date(Date.UTC(year, month + 1, 0, 1));
	return last.getTime() - last.getUTCDay() * DAY_MS;
}

/** Minutes Amsterdam is ahead of UTC: summer time from the last Sunday of March to that of October. */
function amsterdamOffsetMinutes(ms: number): number {
	const year = new Date(ms).getUTCFullYear();
	let bounds = summerTimeCache.get(year);
	if (!bounds) {
		bounds = [lastSundayAtOneUtc(year, 2), lastSundayAtOneUtc(year, 9)];
		summerTimeCache.set(year, bounds);
	}
	return ms >= bounds[0] && ms < bounds[1] ? 120 : 60;
}

export function localDay(ms: number): IsoDate {
	return new Date(ms + amsterdamOffsetMinutes(ms) * MINUTE_MS).toISOString().slice(0, 10);
}

function localMoment(day: IsoDate, minutes: number): number {
	const naive = Date.parse(`${day}T00:00:00Z`) + minutes * MINUTE_MS;
	return naive - amsterdamOffsetMinutes(naive - 2 * 60 * MINUTE_MS) * MINUTE_MS;
}

/** An ISO 8601 moment with the Dutch offset, as the case system writes it. */
export function formatMoment(ms: number): string {
	const offset = amsterdamOffsetMinutes(ms);
	return `${new Date(ms + offset * MINUTE_MS).toISOString().slice(0, 19)}+0${offset / 60}:00`;
}

function officeMoment(day: IsoDate, random: Random): number {
	return localMoment(day, OFFICE_START_MINUTES + Math.floor(random.next() * OFFICE_MINUTES));
}

function previousWorkingDay(day: IsoDate): IsoDate {
	let d = day;
	while (!isWorkingDay(d)) d = addDays(d, -1);
	return d;
}

function workingDaysBetween(first: IsoDate, last: IsoDate): IsoDate[] {
	const result: IsoDate[] = [];
	for (let d = first; d <= last; d = addDays(d, 1)) if (isWorkingDay(d)) result.push(d);
	return result;
}

/** The next moment, `stay` after `from`: whole days later at office hours, or an exact span. */
function after(from: number, stay: Stay, random: Random): number {
	if ('exactDays' in stay) return from + stay.exactDays * DAY_MS;
	const day = nextWorkingDay(addDays(localDay(from), random.int(stay.minDays, stay.maxDays)));
	const at = officeMoment(day, random);
	return at > from ? at : from + random.int(5, 60) * MINUTE_MS;
}

interface Month {
	index: number;
	days: IsoDate[];
}

function monthsOf(workingDays: IsoDate[]): Month[] {
	const months: Month[] = [];
	for (const day of workingDays) {
		const last = months[months.length - 1];
		if (last && last.days[0].slice(0, 7) === day.slice(0, 7)) last.days.push(day);
		else months.push({ index: months.length, days: [day] });
	}
	return months;
}

/** Relative inflow per month: a mean-reverting random walk times the season, averaging 1. */
function inflowFactors(model: ProductModel, months: Month[], random: Random): number[] {
	let level = 0;
	const raw = months.map((month) => {
		level = 0.75 * level + model.volatility * random.normal();
		return Math.exp(level) * model.season[Number(month.days[0].slice(5, 7)) - 1];
	});
	const workingDays = months.reduce((sum, m) => sum + m.days.length, 0);
	const weighted = raw.reduce((sum, f, i) => sum + f * months[i].days.length, 0) / workingDays;
	return raw.map((f) => f / weighted);
}

function stepFactor(steps: readonly CapacityStep[], month: number): number {
	let factor = steps[0][1];
	for (const [from, f] of steps) if (month >= from) factor = f;
	return factor;
}

/** Cases a queue serves per working day in a month: lagging demand times the staffing step. */
function dailyCapacities(
	model: ProductModel,
	stage: StageModel,
	factors: number[],
	scale: number
): number[] {
	const perDay = (model.perYear * scale) / 52 / WORKING_DAYS_PER_WEEK;
	return factors.map((_, month) => {
		let demand = 0;
		for (let back = 1; back <= CAPACITY_LAG_MONTHS; back++)
			demand += month - back >= 0 ? factors[month - back] : 1;
		return perDay * (demand / CAPACITY_LAG_MONTHS) * stepFactor(stage.capacity ?? [[0, 1]], month);
	});
}

function stochasticCount(expected: number, random: Random): number {
	const noisy = expected + Math.sqrt(expected) * random.normal() * 0.5;
	const floor = Math.floor(Math.max(0, noisy));
	return floor + (random.chance(Math.max(0, noisy) - floor) ? 1 : 0);
}

/** `waiting`: in a queue at `now`; `stopped`: open at `now`, its next step lies after it. */
type Status = 'active' | 'waiting' | 'stopped' | 'withdrawn' | 'decided';

interface Applicant {
	name: string;
	birthDate: IsoDate;
	language: string;
	email?: string;
}

interface SimCase {
	reference: string;
	model: ProductModel;
	vNumber: string;
	applicant: Applicant;
	sponsorKvk: string | null;
	submittedAt: number;
	outcome: Outcome;
	withdrawAt: number | null;
	takes: Set<string>;
	/** When the case enters its next stage. */
	nextAt: number;
	status: Status;
	events: { at: number; event: DemoEvent }[];
}

interface Context {
	now: number;
	random: Random;
}

function record(
	ctx: Context,
	c: SimCase,
	at: number,
	type: EventType,
	data: Record<string, unknown>
): boolean {
	if (c.status !== 'active') return false;
	if (c.withdrawAt !== null && c.withdrawAt <= at) {
		withdraw(ctx, c);
		return false;
	}
	if (at > ctx.now) {
		c.status = 'stopped';
		return false;
	}
	push(ctx, c, at, type, data);
	return true;
}

function push(
	ctx: Context,
	c: SimCase,
	at: number,
	type: EventType,
	data: Record<string, unknown>
): void {
	c.events.push({
		at,
		event: { id: ctx.random.uuid(), type, occurredAt: formatMoment(at), case: c.reference, data }
	});
}

function withdraw(ctx: Context, c: SimCase): void {
	const at = c.withdrawAt;
	if (at === null || at > ctx.now) {
		c.status = 'stopped';
		return;
	}
	push(ctx, c, at, 'case.withdrawn', {});
	c.status = 'withdrawn';
}

function submit(ctx: Context, c: SimCase): void {
	const data: Record<string, unknown> = {
		product: c.model.code,
		vNumber: c.vNumber,
		applicant: c.applicant
	};
	if (c.sponsorKvk) data.sponsorKvk = c.sponsorKvk;
	record(ctx, c, c.submittedAt, 'case.submitted', data);
	c.nextAt = after(c.submittedAt, c.model.stages[0].stay ?? days(0, 1), ctx.random);
}

function makeApplicant(model: ProductModel, submittedDay: IsoDate, random: Random): Applicant {
	const language = random.weighted(model.languages);
	const names = NAMES[language] ?? NAMES.en;
	const first = random.pick(names.first);
	const last = random.pick(names.last);
	const age = random.int(model.ages[0], model.ages[1]);
	const birthDate = addDays(`${Number(submittedDay.slice(0, 4)) - age}-01-01`, -random.int(0, 364));
	const applicant: Applicant = { name: `${first} ${last}`, birthDate, language };
	if (random.chance(model.emailShare)) {
		const local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
		applicant.email = `${local}${random.int(1, 999)}@${random.pick(EMAIL_DOMAINS)}`;
	}
	return applicant;
}

function uniqueVNumber(used: Set<string>, random: Random): string {
	for (;;) {
		const v = String(random.int(2_000_000_000, 9_999_999_999));
		if (!used.has(v)) {
			used.add(v);
			return v;
		}
	}
}

function optionalStages(model: ProductModel, outcome: Outcome, random: Random): Set<string> {
	const takes = new Set<string>();
	for (const stage of model.stages) {
		if (
			stage.optional === 'refusal'
				? outcome === 'refused'
				: stage.optional !== undefined && random.chance(stage.optional)
		)
			takes.add(stage.code);
	}
	return takes;
}

function newCase(
	model: ProductModel,
	submittedAt: number,
	used: Set<string>,
	random: Random
): SimCase {
	const outcome = random.weighted(model.outcomes);
	const mix = SPONSOR_MIX[model.code];
	const withdrawAt = random.chance(WITHDRAWAL_SHARE)
		? officeMoment(nextWorkingDay(addDays(localDay(submittedAt), random.int(7, 150))), random)
		: null;
	return {
		reference: '',
		model,
		vNumber: uniqueVNumber(used, random),
		applicant: makeApplicant(model, localDay(submittedAt), random),
		sponsorKvk: mix ? random.weighted(mix) : null,
		submittedAt,
		outcome,
		withdrawAt,
		takes: optionalStages(model, outcome, random),
		nextAt: submittedAt,
		status: 'active',
		events: []
	};
}

function submissions(
	model: ProductModel,
	months: Month[],
	factors: number[],
	scale: number,
	random: Random
): number[] {
	const perWorkingDay =
		(model.perYear * scale) / (months.reduce((sum, m) => sum + m.days.length, 0) / HISTORY_YEARS);
	const moments: number[] = [];
	for (const month of months) {
		const count = stochasticCount(perWorkingDay * month.days.length * factors[month.index], random);
		for (let i = 0; i < count; i++) moments.push(officeMoment(random.pick(month.days), random));
	}
	return moments;
}

/** References count up per year in order of submission, with gaps as in a real register. */
function assignReferences(cases: SimCase[], random: Random): void {
	const counters = new Map<string, number>();
	for (const c of [...cases].sort((a, b) => a.submittedAt - b.submittedAt)) {
		const year = localDay(c.submittedAt).slice(0, 4);
		const n = (counters.get(year) ?? random.int(100, 999)) + random.int(1, 3);
		counters.set(year, n);
		c.reference = `IND-${year}-${String(n).padStart(6, '0')}`;
	}
}

interface QueueContext extends Context {
	workingDays: IsoDate[];
	monthOfDay: Map<IsoDate, number>;
}

/** Serves a queue first-in-first-out with a capacity per working day; the rest still waits at `now`. */
function serveQueue(ctx: QueueContext, arrivals: SimCase[], capacityPerDay: number[]): void {
	arrivals.sort((a, b) => a.nextAt - b.nextAt);
	let next = 0;
	let head = 0;
	let budget = 0;
	const waiting: SimCase[] = [];
	const firstDay = arrivals.length ? localDay(arrivals[0].nextAt) : '9999-12-31';
	for (const day of ctx.workingDays) {
		if (day < firstDay) continue;
		const dayStart = localMoment(day, 0);
		while (next < arrivals.length && arrivals[next].nextAt < dayStart)
			waiting.push(arrivals[next++]);
		budget += capacityPerDay[ctx.monthOfDay.get(day)!];
		const slots = Math.floor(budget);
		budget -= slots;
		let served = 0;
		while (served < slots && head < waiting.length) {
			const c = waiting[head];
			const at = localMoment(
				day,
				OFFICE_START_MINUTES + Math.floor((OFFICE_MINUTES * (served + ctx.random.next())) / slots)
			);
			if (at > ctx.now) break;
			head++;
			if (c.withdrawAt !== null && c.withdrawAt < at) {
				withdraw(ctx, c);
				continue;
			}
			c.nextAt = at;
			served++;
		}
		// Capacity that finds no one waiting is lost, not saved up.
		if (head === waiting.length) budget = Math.min(budget, 1);
	}
	for (const c of [...waiting.slice(head), ...arrivals.slice(next)]) {
		if (c.withdrawAt !== null && c.withdrawAt <= ctx.now) withdraw(ctx, c);
		else c.status = 'waiting';
	}
}

function runProduct(
	ctx: QueueContext,
	model: ProductModel,
	cases: SimCase[],
	capacities: Map<string, number[]>
): void {
	const decisionIndex = model.stages.findIndex((s) => s.kind === 'final');
	for (const stage of model.stages.slice(1, decisionIndex)) {
		const arrivals: SimCase[] = [];
		for (const c of cases) {
			if (stage.optional !== undefined && !c.takes.has(stage.code)) continue;
			if (!record(ctx, c, c.nextAt, 'case.stage_entered', { stage: stage.code })) continue;
			if (stage.kind === 'queue') arrivals.push(c);
			else c.nextAt = after(c.nextAt, stage.stay ?? days(1, 5), ctx.random);
		}
		if (stage.kind === 'queue') serveQueue(ctx, arrivals, capacities.get(stage.code)!);
	}
	const decision = model.stages[decisionIndex];
	const afterDecision = model.stages[decisionIndex + 1];
	for (const c of cases) {
		if (!record(ctx, c, c.nextAt, 'case.decided', { outcome: c.outcome })) continue;
		c.status = 'decided';
		if (!afterDecision || c.outcome !== 'granted') continue;
		const at = after(c.nextAt, decision.stay ?? days(1, 5), ctx.random);
		if (at <= ctx.now) push(ctx, c, at, 'case.stage_entered', { stage: afterDecision.code });
	}
}

function insertChronologically(c: SimCase, at: number, event: DemoEvent): void {
	const index = c.events.findIndex((e) => e.at > at);
	c.events.splice(index === -1 ? c.events.length : index, 0, { at, event });
}

/** Some cases that run past their legal deadline get a formal extension shortly before it. */
function extendDeadlines(ctx: Context, cases: SimCase[]): void {
	for (const c of cases) {
		if (!ctx.random.chance(EXTENSION_SHARE_OF_OVERDUE)) continue;
		const closing = c.events.find(
			(e) => e.event.type === 'case.decided' || e.event.type === 'case.withdrawn'
		);
		const end = closing?.at ?? ctx.now;
		const submittedAt = new Date(c.submittedAt);
		const deadline = legalDeadline(submittedAt, c.model.term);
		if (localDay(end) <= deadline) continue;
		const latest = latestExtendedDeadline(submittedAt, c.model.term, c.model.extension);
		if (latest <= deadline) continue;
		const at = officeMoment(
			previousWorkingDay(addDays(deadline, -ctx.random.int(3, 14))),
			ctx.random
		);
		if (at <= c.submittedAt || at >= end) continue;
		const span = Math.round((Date.parse(latest) - Date.parse(deadline)) / DAY_MS);
		let extended = nextWorkingDay(
			addDays(deadline, Math.max(1, Math.round(span * (0.5 + ctx.random.next() / 2))))
		);
		if (extended > latest) extended = latest;
		const event: DemoEvent = {
			id: ctx.random.uuid(),
			type: 'case.deadline_extended',
			occurredAt: formatMoment(at),
			case: c.reference,
			data: { deadline: extended, reason: ctx.random.pick(c.model.extensionReasons) }
		};
		insertChronologically(c, at, event);
	}
}

function modelOf(code: ProductCode): ProductModel {
	return PRODUCT_MODELS.find((m) => m.code === code)!;
}

/** A moment at office hours, `n` calendar days before `moment` (on or before that working day). */
function daysBefore(ctx: Context, moment: number, n: number): number {
	return officeMoment(previousWorkingDay(addDays(localDay(moment), -n)), ctx.random);
}

/** Just after the middle one of the cases still waiting in a queue at `now` entered it. */
function medianWaitingEntry(
	ctx: Context,
	cases: SimCase[],
	product: ProductCode,
	stage: string
): number | null {
	const entries = cases
		.filter((c) => c.status === 'waiting' && c.model.code === product)
		.map((c) => c.events[c.events.length - 1])
		.filter((e) => e.event.type === 'case.stage_entered' && e.event.data.stage === stage)
		.map((e) => e.at)
		.sort((a, b) => a - b);
	return entries.length
		? Math.min(entries[Math.floor(entries.length / 2)] + MINUTE_MS, ctx.now)
		: null;
}

function pinnedCase(
	model: ProductModel,
	reference: string,
	vNumber: string,
	applicant: Applicant,
	sponsorKvk: string | null,
	submittedAt: number
): SimCase {
	return {
		reference,
		model,
		vNumber,
		applicant,
		sponsorKvk,
		submittedAt,
		outcome: 'granted',
		withdrawAt: null,
		takes: new Set(),
		nextAt: submittedAt,
		status: 'active',
		events: []
	};
}

/** Follows `stages` at the given moments and leaves the case waiting in the last one. */
function followPinned(ctx: Context, c: SimCase, steps: [stage: string, at: number][]): SimCase {
	submit(ctx, c);
	let previous = c.submittedAt;
	for (const [stage, at] of steps) {
		// Two steps can fall on the same working day; keep them in order.
		previous = Math.max(at, previous + 30 * MINUTE_MS);
		record(ctx, c, previous, 'case.stage_entered', { stage });
	}
	c.status = 'waiting';
	return c;
}

/** The demo cases join their queue in the middle of those waiting, so they have people ahead and behind. */
function demoCases(ctx: Context, generated: SimCase[]): SimCase[] {
	const asylumEntry =
		medianWaitingEntry(ctx, generated, DEMO_ASYLUM_CASE.product, DEMO_ASYLUM_CASE.stage) ??
		daysBefore(ctx, ctx.now, 30);
	const sponsoredEntry =
		medianWaitingEntry(ctx, generated, DEMO_SPONSORED_CASE.product, DEMO_SPONSORED_CASE.stage) ??
		daysBefore(ctx, ctx.now, 5);
	const asylum = pinnedCase(
		modelOf('asiel'),
		DEMO_ASYLUM_CASE.reference,
		DEMO_ASYLUM_CASE.vNumber,
		{
			name: DEMO_ASYLUM_CASE.name,
			birthDate: '1991-03-14',
			language: 'en',
			email: 'demo.applicant@example.org'
		},
		null,
		daysBefore(ctx, asylumEntry, 60)
	);
	const sponsored = pinnedCase(
		modelOf('kennismigrant'),
		DEMO_SPONSORED_CASE.reference,
		DEMO_SPONSORED_CASE.vNumber,
		{
			name: DEMO_SPONSORED_CASE.name,
			birthDate: '1994-08-02',
			language: 'en',
			email: 'arjun.mehta@example.com'
		},
		DEMO_SPONSORED_CASE.sponsorKvk,
		daysBefore(ctx, sponsoredEntry, 2)
	);
	return [
		followPinned(ctx, asylum, [
			['registration_interview_queue', daysBefore(ctx, asylumEntry, 57)],
			['registration_interview', daysBefore(ctx, asylumEntry, 20)],
			[DEMO_ASYLUM_CASE.stage, asylumEntry]
		]),
		followPinned(ctx, sponsored, [[DEMO_SPONSORED_CASE.stage, sponsoredEntry]])
	];
}

function historyStartOf(now: Date): IsoDate {
	return addMonths(localDay(now.getTime()), -12 * HISTORY_YEARS);
}

function toSimulatedCase(c: SimCase): SimulatedCase {
	return {
		reference: c.reference,
		product: c.model.code,
		vNumber: c.vNumber,
		sponsorKvk: c.sponsorKvk,
		events: c.events.map((e) => e.event)
	};
}

function chronological(cases: SimCase[]): DemoEvent[] {
	const all = cases.flatMap((c) => c.events);
	// Array sort is stable, so events of one case at the same moment keep their order.
	all.sort((a, b) => a.at - b.at);
	return all.map((e) => e.event);
}

/**
 * A history of `HISTORY_YEARS` ending at `now`: inflow per product in the IND's proportions
 * (`scale` 1.0 = a full year of inflow per year), swinging month to month, served FIFO by
 * queues whose capacity changes over time, plus the fixed demo cases.
 */
export function simulate(options: SimulationOptions): Simulation {
	const now = options.now ?? new Date();
	if (!(options.scale > 0)) throw new Error(`scale must be above 0, got ${options.scale}`);
	const random = createRandom(options.seed ?? DEFAULT_SEED);
	const start = historyStartOf(now);
	const lastFullDay = addDays(localDay(now.getTime()), -1);
	const submissionDays = workingDaysBetween(start, lastFullDay);
	const months = monthsOf(submissionDays);
	const workingDays = workingDaysBetween(start, localDay(now.getTime()));
	const monthOfDay = new Map<IsoDate, number>();
	for (const month of months) for (const day of month.days) monthOfDay.set(day, month.index);
	const today = workingDays[workingDays.length - 1];
	if (today && !monthOfDay.has(today)) monthOfDay.set(today, months.length - 1);
	const ctx: QueueContext = { now: now.getTime(), random, workingDays, monthOfDay };

	const usedVNumbers = new Set<string>();
	const perProduct = PRODUCT_MODELS.map((model) => {
		const factors = inflowFactors(model, months, random);
		const cases = submissions(model, months, factors, options.scale, random).map((at) =>
			newCase(model, at, usedVNumbers, random)
		);
		const capacities = new Map(
			model.stages
				.filter((s) => s.kind === 'queue')
				.map((s) => [s.code, dailyCapacities(model, s, factors, options.scale)])
		);
		return { model, cases, capacities };
	});
	const generated = perProduct.flatMap((p) => p.cases);
	assignReferences(generated, random);
	for (const { model, cases, capacities } of perProduct) {
		cases.sort((a, b) => a.submittedAt - b.submittedAt);
		for (const c of cases) submit(ctx, c);
		runProduct(ctx, model, cases, capacities);
	}
	const demo = demoCases(ctx, generated);
	extendDeadlines(ctx, generated);
	const all = [...generated, ...demo];
	return {
		now,
		historyStart: new Date(localMoment(start, 0)),
		cases: all.map(toSimulatedCase),
		events: chronological(all)
	};
}
