import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { AuditEvent } from '$lib/server/db/schema';

export const GENESIS_HASH = '0'.repeat(64);
// Any constant: every insert takes this lock so the chain has one order.
const CHAIN_LOCK = 7_270_001;

export interface Actor {
	userId: number | null;
	/** applicant, referent_admin, counter, triage, planner, admin, system, anonymous, api */
	role: string;
	organisation?: string | null;
	desk?: string | null;
	ip?: string | null;
}

export interface AuditEntry {
	action: string;
	caseId?: number | null;
	subject?: string | null;
	reason?: string | null;
	details?: Record<string, unknown>;
}

function canonical(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(canonical);
	if (value && typeof value === 'object' && !(value instanceof Date)) {
		return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
	}
	return value;
}

export function auditHash(row: Omit<AuditEvent, 'hash'>): string {
	const text = JSON.stringify([
		row.id,
		row.at.toISOString(),
		row.actor_user_id,
		row.actor_role,
		row.actor_organisation,
		row.actor_desk,
		row.action,
		row.case_id,
		row.subject,
		row.reason,
		row.ip,
		canonical(row.details),
		row.prev_hash
	]);
	return encodeHexLowerCase(sha256(new TextEncoder().encode(text)));
}

async function append(trx: Transaction<Database>, actor: Actor, entry: AuditEntry): Promise<void> {
	await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
	const last = await trx.selectFrom('audit_event').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
	const row = {
		id: (last?.id ?? 0) + 1,
		// Millisecond precision, so the hash of the stored value matches.
		at: new Date(),
		actor_user_id: actor.userId,
		actor_role: actor.role,
		actor_organisation: actor.organisation ?? null,
		actor_desk: actor.desk ?? null,
		action: entry.action,
		case_id: entry.caseId ?? null,
		subject: entry.subject ?? null,
		reason: entry.reason ?? null,
		ip: actor.ip ?? null,
		details: canonical(entry.details ?? {}),
		prev_hash: last?.hash ?? GENESIS_HASH
	};
	const hash = auditHash(row);
	await trx.insertInto('audit_event').values({ ...row, details: JSON.stringify(row.details), hash }).execute();
	await trx
		.insertInto('audit_head')
		.values({ singleton: true, last_id: row.id, last_hash: hash })
		.onConflict((oc) => oc.column('singleton').doUpdateSet({ last_id: row.id, last_hash: hash }))
		.execute();
}

/** Appends to the audit log; inside the caller's transaction when given one, so both commit together. */
export async function recordAudit(db: Db | Transaction<Database>, actor: Actor, entry: AuditEntry): Promise<void> {
	if (db.isTransaction) return append(db as Transaction<Database>, actor, entry);
	await db.transaction().execute((trx) => append(trx, actor, entry));
}

export type ChainProblem = { id: number; problem: 'changed' | 'missing_before' | 'missing_after' };

/** Walks the chain; reports rows whose content no longer matches their hash and gaps. */
export async function verifyAuditChain(db: Db, batchSize = 5000): Promise<{ rows: number; problems: ChainProblem[] }> {
	const problems: ChainProblem[] = [];
	let expectedId = 1;
	let prevHash = GENESIS_HASH;
	let rows = 0;
	for (;;) {
		const batch = await db.selectFrom('audit_event').selectAll().where('id', '>=', expectedId).orderBy('id').limit(batchSize).execute();
		if (batch.length === 0) break;
		for (const row of batch) {
			rows += 1;
			if (row.id !== expectedId || row.prev_hash !== prevHash) problems.push({ id: row.id, problem: 'missing_before' });
			if (auditHash(row) !== row.hash) problems.push({ id: row.id, problem: 'changed' });
			expectedId = row.id + 1;
			prevHash = row.hash;
		}
	}
	const head = await db.selectFrom('audit_head').selectAll().executeTakeFirst();
	if (head && (head.last_id !== expectedId - 1 || head.last_hash !== prevHash)) {
		problems.push({ id: expectedId - 1, problem: 'missing_after' });
	}
	return { rows, problems };
}

