import type { Role } from '$lib/roles';
import type { ColumnType, Generated, Selectable } from 'kysely';

/** `applicant` and `documents` both wait for the applicant; `documents` has an open document_request. */
export type StageKind = 'queue' | 'applicant' | 'documents' | 'appointment' | 'fixed' | 'final';
export type TermUnit = 'days' | 'months';
export type CaseStatus = 'open' | 'decided' | 'withdrawn';
export type QueueStream = 'priority' | 'normal';
export type Outcome = 'granted' | 'refused' | 'other';
/** Every role a person can hold (not only staff ones: the name is older than the referent roles). */
export type StaffRole = Role;
export type AccountKind = 'applicant' | 'referent' | 'staff';

export type InvitationStatus = 'open' | 'booked' | 'expired' | 'cancelled';
export type AppointmentStatus = 'active' | 'cancelled' | 'attended' | 'no_show';
export type WaitlistStatus = 'active' | 'left' | 'served';
export type OfferStatus = 'held' | 'accepted' | 'expired' | 'declined';
export type CaseChangeKind =
	'booked' | 'moved' | 'cancelled' | 'attended' | 'no_show' | 'triage_decided';
export type TriageRequestStatus = 'draft' | 'sent' | 'decided' | 'withdrawn';
export type TriageOutcome = 'accepted' | 'not_accepted';
export type TriageContentType = 'application/pdf' | 'image/jpeg' | 'image/png';
export type Gender = 'female' | 'male' | 'other';
export type DocumentRequestResolution =
	'stage_changed' | 'case_decided' | 'case_withdrawn' | 'replaced';

/** Dates (`date` columns) travel as `YYYY-MM-DD` strings on both drivers. */
type DateString = string;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** What an audit row says, apart from its place in the chain. */
interface AuditContentColumns {
	at: Timestamp;
	actor_user_id: number | null;
	actor_role: string;
	actor_organisation: string | null;
	actor_desk: string | null;
	action: string;
	case_id: number | null;
	subject: string | null;
	reason: string | null;
	ip: string | null;
	details: ColumnType<unknown, string, never>;
}

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
		scopes: ColumnType<string[], string[] | undefined, string[]>;
		requests_per_minute: Generated<number>;
	};
	activation_letter_request: {
		request_hash: string;
		api_key_id: number;
		case_id: number;
		activation_code_id: number;
		sealed: string | null;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		replay_until: Timestamp;
		expires_at: Timestamp;
	};
	organisation: {
		id: Generated<number>;
		kvk: string;
		name: string;
		/** Whether the IND recognises it as a sponsor (erkend referent). */
		recognised: Generated<boolean>;
		created_at: ColumnType<Date, Date | string | undefined, never>;
	};
	referent_invitation: {
		id: Generated<number>;
		token_hash: string;
		organisation_id: number;
		email: string;
		role: StaffRole;
		invited_by: number | null;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		expires_at: Timestamp;
		used_at: Timestamp | null;
		used_by: number | null;
		revoked_at: Timestamp | null;
	};
	app_user: {
		id: Generated<number>;
		email: string;
		password_hash: string;
		display_name: string;
		kind: AccountKind;
		applicant_id: number | null;
		language: Generated<string>;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		disabled_at: Timestamp | null;
	};
	user_role: {
		user_id: number;
		role: StaffRole;
		organisation_id: number | null;
		desk: string | null;
		granted_at: ColumnType<Date, Date | string | undefined, never>;
	};
	user_session: {
		id: string;
		user_id: number;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
		expires_at: Timestamp;
		user_agent: string | null;
	};
	activation_code: {
		id: Generated<number>;
		case_id: number;
		code_hash: string;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		expires_at: Timestamp;
		used_at: Timestamp | null;
		replaced_at: Timestamp | null;
	};
	password_reset: {
		id: string;
		user_id: number;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		expires_at: Timestamp;
		used_at: Timestamp | null;
	};
	user_totp: {
		user_id: number;
		secret: string;
		enrolled_at: ColumnType<Date, Date | string | undefined, never>;
		last_step: Generated<number>;
	};
	recovery_code: {
		id: Generated<number>;
		user_id: number;
		code_hash: string;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		used_at: Timestamp | null;
	};
	pending_login: {
		id: string;
		user_id: number;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		expires_at: Timestamp;
		enrol_secret: string | null;
		user_agent: string | null;
	};
	rate_limit: {
		key: string;
		window_start: Timestamp;
		resets_at: Timestamp;
		hits: number;
	};
	email_outbox: {
		id: Generated<number>;
		to_address: string;
		subject: string;
		body_text: string;
		body_redacted: string | null;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		sent_at: Timestamp | null;
		attempts: Generated<number>;
		last_error: string | null;
	};
	audit_event: AuditContentColumns & {
		id: number;
		prev_hash: string;
		hash: string;
		/** Null for rows of the old unkeyed rule, written before AUDIT_KEY. */
		key_id: string | null;
	};
	/** Audit rows written without a lock, moved into `audit_event` in id order soon after commit. */
	audit_pending: AuditContentColumns & { id: Generated<number> };
	queue_day_count: {
		product_code: string;
		stage_code: string;
		stream: QueueStream;
		day: DateString;
		waiting: number;
	};
	/** The same counts per month of entry (`month` is the month's first day). */
	queue_month_count: {
		product_code: string;
		stage_code: string;
		stream: QueueStream;
		month: DateString;
		waiting: number;
	};
	/** The same counts per hour of entry (`hour` is the hour's start). */
	queue_hour_count: {
		product_code: string;
		stage_code: string;
		stream: QueueStream;
		hour: Date;
		waiting: number;
	};
	audit_head: {
		singleton: Generated<boolean>;
		last_id: number;
		last_hash: string;
	};
	hearing_location: {
		id: Generated<number>;
		code: string;
		name: string;
		address: string;
		accessibility: Generated<string>;
		directions: Generated<string>;
	};
	hearing_kind: {
		code: string;
		duration_minutes: number;
		asylum: boolean;
	};
	slot_template: {
		id: Generated<number>;
		location_id: number;
		kind: string;
		/** ISO weekday: 1 = Monday … 7 = Sunday. */
		weekday: number;
		/** Amsterdam wall-clock time, `HH:MM`. */
		start_time: string;
		rooms: number;
	};
	slot: {
		id: Generated<number>;
		location_id: number;
		kind: string;
		starts_at: Timestamp;
		ends_at: Timestamp;
		rooms: number;
		taken: Generated<number>;
		closed_at: Timestamp | null;
		closed_reason: string | null;
	};
	interpreter: {
		id: Generated<number>;
		location_id: number;
		name: Generated<string>;
		language: string;
		gender: Gender | null;
	};
	interpreter_shift: {
		id: Generated<number>;
		interpreter_id: number;
		starts_at: Timestamp;
		ends_at: Timestamp;
	};
	interpreter_booking: {
		interpreter_id: number;
		quarter: Timestamp;
		appointment_id: number;
	};
	hearing_invitation: {
		id: Generated<number>;
		case_id: number;
		kind: string;
		book_before: DateString;
		locations: string[];
		interpreter_language: string | null;
		interpreter_in_person: Generated<boolean>;
		same_gender_requested: Generated<boolean>;
		applicant_gender: Gender | null;
		priority: Generated<boolean>;
		stage_position: number | null;
		status: Generated<InvitationStatus>;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		source_event_id: string | null;
		replaces_id: number | null;
	};
	appointment: {
		id: Generated<number>;
		reference: string;
		invitation_id: number;
		case_id: number;
		slot_id: number;
		interpreter_id: number | null;
		status: Generated<AppointmentStatus>;
		idempotency_key: string;
		booked_by: number | null;
		on_behalf_of: number | null;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		cancelled_at: Timestamp | null;
		cancel_reason: string | null;
		replaced_by: number | null;
		attendance_at: Timestamp | null;
	};
	waitlist_entry: {
		id: Generated<number>;
		invitation_id: number;
		joined_at: Timestamp;
		status: Generated<WaitlistStatus>;
	};
	waitlist_offer: {
		id: Generated<number>;
		entry_id: number;
		slot_id: number;
		offered_at: Timestamp;
		expires_at: Timestamp;
		status: Generated<OfferStatus>;
	};
	case_change: {
		id: Generated<number>;
		at: ColumnType<Date, Date | string | undefined, never>;
		kind: CaseChangeKind;
		/** The appointment a planning change is about; later kinds (triage decisions) have none. */
		appointment_id: number | null;
		case_reference: string;
		data: ColumnType<unknown, string | undefined, never>;
		/** The place in the feed, drawn as the writing transaction commits (a deferred trigger). */
		seq: ColumnType<number | null, never, never>;
	};
	triage_ground: {
		code: string;
		position: number;
		/** Choosing it asks for explicit consent to process health data. */
		health: Generated<boolean>;
		active: Generated<boolean>;
	};
	triage_condition_version: {
		version: number;
		published_at: ColumnType<Date, Date | string | undefined, never>;
		published_by: number | null;
	};
	triage_condition: {
		version: number;
		code: string;
		position: number;
		text_nl: string;
		text_en: string;
		active: boolean;
	};
	triage_request: {
		id: Generated<number>;
		reference: string | null;
		case_id: number;
		created_by: number;
		status: Generated<TriageRequestStatus>;
		grounds: ColumnType<string[], string[] | undefined, string[]>;
		explanation: Generated<string>;
		what_changed: string | null;
		health_consent_at: Timestamp | null;
		declared_at: Timestamp | null;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
		sent_at: Timestamp | null;
		target_date: DateString | null;
		withdrawn_at: Timestamp | null;
	};
	triage_document: {
		id: Generated<string>;
		request_id: number;
		label: string;
		content_type: TriageContentType;
		size: number;
		sha256: string;
		content: Uint8Array;
		added_by: number;
		added_at: ColumnType<Date, Date | string | undefined, never>;
	};
	triage_decision: {
		id: Generated<number>;
		request_id: number;
		outcome: TriageOutcome;
		conditions_version: number;
		conditions_met: string[];
		reasons: string[];
		reason_text: Generated<string>;
		decided_by: number;
		decided_at: Timestamp;
		confirmed_by: number | null;
		confirmed_at: Timestamp | null;
		effective_at: Timestamp | null;
		documents_deleted_at: Timestamp | null;
	};
	/** A proposed acceptance the second officer sent back, with why: the proposal as it was. */
	triage_returned_proposal: Pick<
		Database['triage_decision'],
		'id' | 'request_id' | 'outcome' | 'conditions_version' | 'conditions_met' | 'reasons'
	> & {
		reason_text: string;
		proposed_by: number;
		proposed_at: Timestamp;
		returned_by: number;
		returned_at: Timestamp;
		return_reason: string;
	};
	/** The server's VAPID key pair for web push: one row, made on first use. */
	push_vapid: {
		id: Generated<boolean>;
		/** The uncompressed P-256 point, base64url: the browser's applicationServerKey. */
		public_key: string;
		/** The private scalar d, base64url. */
		private_key: string;
		created_at: ColumnType<Date, Date | string | undefined, never>;
	};
	/** A device's push subscription: where its push service takes messages for one account. */
	push_subscription: {
		id: Generated<number>;
		user_id: number;
		endpoint: string;
		p256dh: string;
		auth: string;
		user_agent: string | null;
		created_at: ColumnType<Date, Date | string | undefined, never>;
		last_success_at: Timestamp | null;
	};
	/** Herstel verzuim: documents the IND waits for; open until the case moves on. */
	document_request: {
		id: Generated<number>;
		case_id: number;
		event_id: string;
		missing: string[];
		note: string | null;
		send_before: DateString;
		requested_at: Timestamp;
		resolved_at: Timestamp | null;
		resolution: DocumentRequestResolution | null;
	};
	/** What the case page showed about the turn at the latest visit and the one before (EstimateSeen). */
	case_estimate_seen: {
		case_id: number;
		session_id: string;
		seen_at: Timestamp;
		latest: ColumnType<unknown, string, string>;
		previous: ColumnType<unknown, string | null, string | null>;
	};
	/** A referent member's daily digest of changes, per organisation: on or off, and how far it reported. */
	referent_digest: {
		user_id: number;
		organisation_id: number;
		enabled: boolean;
		/** Changes the case system delivered up to this moment have been reported (or skipped). */
		reported_until: Timestamp;
		/** The Dutch day of the last run: one digest a day, whichever app server runs it. */
		last_run_on: DateString | null;
		last_sent_at: Timestamp | null;
		updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
	};
}

export type Product = Selectable<Database['product']>;
export type Stage = Selectable<Database['stage']>;
export type User = Selectable<Database['app_user']>;
export type AuditEvent = Selectable<Database['audit_event']>;
