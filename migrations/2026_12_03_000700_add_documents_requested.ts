import { sql, type Kysely } from 'kysely';

/** The products a referent sponsors; each gets the optional stage after its assessment. */
const PRODUCTS = ['gezinshereniging', 'verlenging', 'kennismigrant', 'studie'];
const KINDS_BEFORE = ['queue', 'applicant', 'appointment', 'fixed', 'final'];
const KINDS_AFTER = ['queue', 'applicant', 'documents', 'appointment', 'fixed', 'final'];

/**
 * Replaces the enum stage_kind by one with the given values. A value added with `alter type … add
 * value` cannot be used in the transaction that added it, and the migrator runs every pending
 * migration in one transaction; a type created in the transaction has no such limit.
 */
async function replaceStageKind(db: Kysely<any>, values: string[]): Promise<void> {
	const list = sql.join(values.map((v) => sql.lit(v)));
	await sql`create type stage_kind_next as enum (${list})`.execute(db);
	await sql`alter table stage alter column kind type stage_kind_next using kind::text::stage_kind_next`.execute(db);
	await sql`drop type stage_kind`.execute(db);
	await sql`alter type stage_kind_next rename to stage_kind`.execute(db);
}

/**
 * Moves the stages after `assessment` of the products by `shift` places, and the stage an open
 * hearing invitation was made in with them. In two steps: the unique (product, position) is
 * checked row by row.
 */
async function shiftAfterAssessment(db: Kysely<any>, shift: number, from: 'gt' | 'gte'): Promise<void> {
	const products = sql`(${sql.join(PRODUCTS.map((p) => sql.lit(p)))})`;
	const after = (position: ReturnType<typeof sql>, assessment: ReturnType<typeof sql>) =>
		from === 'gt' ? sql`${position} > ${assessment}` : sql`${position} >= ${assessment} + 2`;
	const assessmentOf = (product: ReturnType<typeof sql>) =>
		sql`(select a.position from stage a where a.product_code = ${product} and a.code = 'assessment')`;
	await sql`
		update stage s set position = -(s.position + ${shift})
		where s.product_code in ${products} and ${after(sql`s.position`, assessmentOf(sql`s.product_code`))}`.execute(db);
	await sql`update stage set position = -position where position < 0`.execute(db);
	await sql`
		update hearing_invitation h set stage_position = h.stage_position + ${shift}
		from "case" c
		where c.id = h.case_id and c.product_code in ${products}
			and ${after(sql`h.stage_position`, assessmentOf(sql`c.product_code`))}`.execute(db);
}

/**
 * Herstel verzuim: the IND asks for missing documents and waits for them. The optional stage
 * `missing_documents`, of the new kind `documents`, follows `assessment`; a case in it has one
 * open request, which says what is missing and by when.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await replaceStageKind(db, KINDS_AFTER);
	await shiftAfterAssessment(db, 1, 'gt');
	await sql`
		insert into stage (product_code, code, position, kind, fixed_days, optional)
		select a.product_code, 'missing_documents', a.position + 1, 'documents', null, true
		from stage a where a.code = 'assessment' and a.product_code in (${sql.join(PRODUCTS.map((p) => sql.lit(p)))})`.execute(db);

	await db.schema
		.createTable('document_request')
		.addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('case_id', 'integer', (c) => c.notNull().references('case.id'))
		.addColumn('event_id', 'uuid', (c) => c.notNull().unique().references('case_event.id'))
		.addColumn('missing', sql`text[]`, (c) =>
			c.notNull().check(sql`cardinality(missing) between 1 and 20 and array_position(missing, null) is null`)
		)
		.addColumn('note', 'text', (c) => c.check(sql`char_length(note) between 1 and 500`))
		.addColumn('send_before', 'date', (c) => c.notNull())
		.addColumn('requested_at', 'timestamptz', (c) => c.notNull())
		.addColumn('resolved_at', 'timestamptz')
		.addColumn('resolution', 'text', (c) =>
			c.check(sql`resolution in ('stage_changed', 'case_decided', 'case_withdrawn', 'replaced')`)
		)
		.addCheckConstraint('document_request_resolved_pair', sql`(resolved_at is null) = (resolution is null)`)
		.addCheckConstraint('document_request_resolved_after', sql`resolved_at is null or resolved_at >= requested_at`)
		.execute();
	// At most one open request per case; also the look-up of a case's open request, which the
	// referent's list makes for every case it filters on "needs action".
	await sql`create unique index document_request_open_per_case on document_request (case_id) where resolved_at is null`.execute(db);
	await sql`create index document_request_case_idx on document_request (case_id, requested_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('document_request').execute();
	await sql`delete from stage where code = 'missing_documents' and kind = 'documents'`.execute(db);
	await shiftAfterAssessment(db, -1, 'gte');
	await replaceStageKind(db, KINDS_BEFORE);
}
