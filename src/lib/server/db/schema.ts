import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type StageKind = 'queue' | 'applicant' | 'appointment' | 'fixed' | 'final';
export type TermUnit = 'days' | 'months';
export type CaseStatus = 'open' | 'decided' | 'withdrawn';
export type QueueStream = 'priority' | 'normal';
export type Outcome = 'granted' | 'refused' | 'other';

/** Dates (`date` columns) travel as `YYYY-MM-DD` strings on both drivers. */
type DateString = string;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface Database {
	product: {
		code: string;
		term_value: number;
		term_unit: TermUnit;
		extension_value: number | null;
		extension_unit: TermUnit | null;
		target_days: number | null;
		sort_order: number;
	};
	stage: {
		product_code: string;
		code: string;
		position: number;
		kind: StageKind;
		fixed_days: number | null;
		optional: Generated<boolean>;
	};
	applicant: {
		id: Generated<number>;
		v_number: string;
		name: string;
		birth_date: DateString;
		language: string;
		email: string | null;
	};
	case: {
		id: Generated<number>;
		reference: string;
		applicant_id: number;
		product_code: string;
		sponsor_kvk: string | null;
		language: string;
		submitted_at: Timestamp;
		deadline: DateString;
		original_deadline: DateString;
		deadline_reason: string | null;
		stage_code: string;
		stage_entered_at: Timestamp;
		stream: Generated<QueueStream>;
		status: Generated<CaseStatus>;
		outcome: Outcome | null;
		last_event_at: Timestamp;
		updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
	};
	case_event: {
		id: string;
		case_id: number;
		type: string;
		occurred_at: Timestamp;
		data: ColumnType<unknown, string, never>;
		received_at: ColumnType<Date, Date | string | undefined, never>;
	};
	queue_entry: {
		id: Generated<number>;
		case_id: number;
		product_code: string;
		stage_code: string;
		stream: Generated<QueueStream>;
		entered_at: Timestamp;
		left_at: Timestamp | null;
	};
	api_key: {
		id: Generated<number>;
		label: string;
		prefix: string;
		secret_hash: string;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		last_used_at: Timestamp | null;
		revoked_at: Timestamp | null;
	};
}

export type Product = Selectable<Database['product']>;
export type Stage = Selectable<Database['stage']>;
export type Case = Selectable<Database['case']>;
export type NewCase = Insertable<Database['case']>;
export type QueueEntry = Selectable<Database['queue_entry']>;
export type ApiKey = Selectable<Database['api_key']>;
