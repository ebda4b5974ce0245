import { sql, type Transaction } from 'kysely';
import type { Database } from '$lib/server/db';
import type {
	CaseStatus,
	DocumentRequestResolution,
	Outcome,
	QueueStream
} from '$lib/server/db/schema';
import { casesWithApplicant } from '$lib/server/cases/case.repository';

type Trx = Transaction<Database>;

/** Serialises batches that touch the same cases, including cases that do not exist yet. */
export async function lockReferences(trx: Trx, references: string[]): Promise<void> {
	const sorted = [...new Set(references)].sort();
	await sql`select pg_advisory_xact_lock(hashtext(r)) from unnest(${sorted}::text[]) as r`.execute(
		trx
	);
}

export async function findExistingEventIds(trx: Trx, ids: string[]): Promise<Set<string>> {
	const rows = await trx
		.selectFrom('case_event')
		.select('id')
		.where('id', '=', sql<string>`any(${ids}::uuid[])`)
		.execute();
	return new Set(rows.map((r) => r.id));
}

export async function findCasesForUpdate(trx: Trx, references: string[]) {
	return casesWithApplicant(trx)
		.selectAll('case')
		.select('applicant.v_number')
		.where('reference', '=', sql<string>`any(${references}::text[])`)
		.forUpdate('case')
		.execute();
}

export async function findOpenQueueEntries(trx: Trx, caseIds: number[]) {
	if (caseIds.length === 0) return [];
	return trx
		.selectFrom('queue_entry')
		.selectAll()
		.where('case_id', '=', sql<number>`any(${caseIds}::int[])`)
		.where('left_at', 'is', null)
		.execute();
}

/**
 * Locks the applicants with these V-numbers and says who has activated an account. The lock comes
 * first and the account is read after it: an activation committing meanwhile holds a key-share lock
 * on the applicant that `for update` waits for, and the second statement then sees its account.
 */
export async function lockApplicantIdentities(trx: Trx, vNumbers: string[]) {
	const result = new Map<string, { name: string; birthDate: string; activated: boolean }>();
	if (vNumbers.length === 0) return result;
	const applicants = await trx
		.selectFrom('applicant')
		.select(['id', 'v_number', 'name', 'birth_date'])
		.where('v_number', '=', sql<string>`any(${[...new Set(vNumbers)].sort()}::text[])`)
		.orderBy('v_number')
		.forUpdate()
		.execute();
	if (applicants.length === 0) return result;
	const accounts = await trx
		.selectFrom('app_user')
		.select('applicant_id')
		.where('applicant_id', '=', sql<number>`any(${applicants.map((a) => a.id)}::int[])`)
		.execute();
	const activated = new Set(accounts.map((a) => a.applicant_id));
	for (const a of applicants)
		result.set(a.v_number, {
			name: a.name,
			birthDate: a.birth_date,
			activated: activated.has(a.id)
		});
	return result;
}

export interface ApplicantRow {
	v_number: string;
	name: string;
	birth_date: string;
	language: string;
	email: string | null;
}

export async function upsertApplicants(
	trx: Trx,
	rows: ApplicantRow[]
): Promise<Map<string, number>> {
	if (rows.length === 0) return new Map();
	const result = await sql<{ id: number; v_number: string }>`
		insert into applicant (v_number, name, birth_date, language, email)
		select v_number, name, birth_date, language, email
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
			as r(v_number text, name text, birth_date date, language text, email text)
		on conflict (v_number) do update set
			name = excluded.name, birth_date = excluded.birth_date,
			language = excluded.language, email = coalesce(excluded.email, applicant.email)
		returning id, v_number`.execute(trx);
	return new Map(result.rows.map((r) => [r.v_number, r.id]));
}

export interface CaseRow {
	id: number | null;
	reference: string;
	applicant_id: number;
	product_code: string;
	sponsor_kvk: string | null;
	language: string;
	submitted_at: string;
	deadline: string;
	original_deadline: string;
	deadline_reason: string | null;
	stage_code: string;
	stage_entered_at: string;
	stream: QueueStream;
	status: CaseStatus;
	outcome: Outcome | null;
	last_event_at: string;
}

export async function insertCases(trx: Trx, rows: CaseRow[]): Promise<Map<string, number>> {
	if (rows.length === 0) return new Map();
	const result = await sql<{ id: number; reference: string }>`
		insert into "case" (reference, applicant_id, product_code, sponsor_kvk, language, submitted_at, deadline,
			original_deadline, deadline_reason, stage_code, stage_entered_at, stream, status, outcome, last_event_at)
		select reference, applicant_id, product_code, sponsor_kvk, language, submitted_at, deadline,
			original_deadline, deadline_reason, stage_code, stage_entered_at, stream, status, outcome, last_event_at
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(reference text, applicant_id int, product_code text,
			sponsor_kvk text, language text, submitted_at timestamptz, deadline date, original_deadline date,
			deadline_reason text, stage_code text, stage_entered_at timestamptz, stream queue_stream, status case_status,
			outcome text, last_event_at timestamptz)
		returning id, reference`.execute(trx);
	return new Map(result.rows.map((r) => [r.reference, r.id]));
}

export async function updateCases(trx: Trx, rows: CaseRow[]): Promise<void> {
	if (rows.length === 0) return;
	await sql`
		update "case" c set deadline = r.deadline, deadline_reason = r.deadline_reason, stage_code = r.stage_code,
			stage_entered_at = r.stage_entered_at, stream = r.stream, status = r.status, outcome = r.outcome,
			sponsor_kvk = r.sponsor_kvk, last_event_at = r.last_event_at, updated_at = now()
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id int, deadline date, deadline_reason text,
			stage_code text, stage_entered_at timestamptz, stream queue_stream, status case_status, outcome text,
			sponsor_kvk text, last_event_at timestamptz)
		where c.id = r.id`.execute(trx);
}

export async function closeQueueEntries(
	trx: Trx,
	rows: { id: number; left_at: string }[]
): Promise<void> {
	if (rows.length === 0) return;
	await sql`
		update queue_entry q set left_at = r.left_at
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id bigint, left_at timestamptz)
		where q.id = r.id`.execute(trx);
}

export interface NewQueueEntryRow {
	case_id: number;
	product_code: string;
	stage_code: string;
	stream: QueueStream;
	entered_at: string;
	left_at: string | null;
}

export async function insertQueueEntries(trx: Trx, rows: NewQueueEntryRow[]): Promise<void> {
	if (rows.length === 0) return;
	await sql`
		insert into queue_entry (case_id, product_code, stage_code, stream, entered_at, left_at)
		select case_id, product_code, stage_code, stream, entered_at, left_at
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(case_id int, product_code text, stage_code text,
			stream queue_stream, entered_at timestamptz, left_at timestamptz)`.execute(trx);
}

export interface EventRow {
	id: string;
	case_id: number;
	type: string;
	occurred_at: string;
	data: unknown;
}

export async function insertEvents(trx: Trx, rows: EventRow[]): Promise<void> {
	if (rows.length === 0) return;
	await sql`
		insert into case_event (id, case_id, type, occurred_at, data)
		select id, case_id, type, occurred_at, data
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, case_id int, type text, occurred_at timestamptz, data jsonb)`.execute(
		trx
	);
}

export async function findOpenDocumentRequests(trx: Trx, caseIds: number[]) {
	if (caseIds.length === 0) return [];
	return trx
		.selectFrom('document_request')
		.select(['id', 'case_id', 'event_id', 'missing', 'note', 'send_before', 'requested_at'])
		.where('case_id', '=', sql<number>`any(${caseIds}::int[])`)
		.where('resolved_at', 'is', null)
		.execute();
}

export async function resolveDocumentRequests(
	trx: Trx,
	rows: { id: number; resolved_at: string; resolution: DocumentRequestResolution }[]
): Promise<void> {
	if (rows.length === 0) return;
	await sql`
		update document_request d set resolved_at = r.resolved_at, resolution = r.resolution
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id int, resolved_at timestamptz, resolution text)
		where d.id = r.id`.execute(trx);
}

export interface NewDocumentRequestRow {
	case_id: number;
	event_id: string;
	missing: string[];
	note: string | null;
	send_before: string;
	requested_at: string;
	resolved_at: string | null;
	resolution: DocumentRequestResolution | null;
}

export async function insertDocumentRequests(
	trx: Trx,
	rows: NewDocumentRequestRow[]
): Promise<void> {
	if (rows.length === 0) return;
	await sql`
		insert into document_request (case_id, event_id, missing, note, send_before, requested_at, resolved_at, resolution)
		select case_id, event_id, array(select e from jsonb_array_elements_text(missing) with ordinality as m(e, n) order by n), note, send_before, requested_at,
			resolved_at, resolution
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(case_id int, event_id uuid, missing jsonb, note text,
			send_before date, requested_at timestamptz, resolved_at timestamptz, resolution text)`.execute(trx);
}
