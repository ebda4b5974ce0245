import { hmac } from '@oslojs/crypto/hmac';
import { SHA256 } from '@oslojs/crypto/sha2';
import { sha256Hex } from '$lib/server/crypto/hash';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { AuditEvent } from '$lib/server/db/schema';
import { currentAuditKey, type AuditKey } from './audit.key';
import { checkAnchor, type Anchor, type AnchorProblem } from './audit.anchor';
import {
	findAuditBatch,
	findAuditHead,
	insertAuditRows,
	insertPendingAuditRow,
	takePendingAuditRows,
	lockAuditHead,
	lockEmptyAuditChain
} from './audit.repository';

export const GENESIS_HASH = '0'.repeat(64);

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
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map((k) => [k, canonical((value as Record<string, unknown>)[k])])
		);
	}
	return value;
}

function hashedText(row: Omit<AuditEvent, 'hash'>): string {
	const fields: unknown[] = [
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
	];
	// Rows of the old rule were hashed without a key id; their text stays as it was.
	if (row.key_id !== null) fields.push(row.key_id);
	return JSON.stringify(fields);
}

/**
 * A row's link in the chain: HMAC-SHA256 with the audit key, so that someone with only database
 * access cannot recompute it. Rows without `key_id` were written before the key existed and keep
 * the old rule, plain SHA-256.
 */
export function auditHash(row: Omit<AuditEvent, 'hash'>, key: AuditKey): string {
	const text = new TextEncoder().encode(hashedText(row));
	if (row.key_id === null) return sha256Hex(text);
	if (row.key_id !== key.id)
		throw new Error(`audit row ${row.id} was written with key ${row.key_id}, not ${key.id}`);
	return encodeHexLowerCase(hmac(SHA256, key.secret, text));
}

type AuditContent = Omit<AuditEvent, 'id' | 'prev_hash' | 'hash' | 'key_id'>;

function contentOf(actor: Actor, entry: AuditEntry): AuditContent {
	return {
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
		details: canonical(entry.details ?? {})
	};
}

/** Links rows into the chain after `last` (the locked head), with the current key. */
function chained(contents: AuditContent[], last: { id: number; hash: string } | undefined) {
	const key = currentAuditKey();
	let previous = { id: last?.id ?? 0, hash: last?.hash ?? GENESIS_HASH };
	return contents.map((content) => {
		const row = { ...content, id: previous.id + 1, prev_hash: previous.hash, key_id: key.id };
		const hash = auditHash(row, key);
		previous = { id: row.id, hash };
		return { ...row, details: JSON.stringify(canonical(row.details)), hash };
	});
}

async function lockChain(trx: Transaction<Database>) {
	return (await lockAuditHead(trx)) ?? (await lockEmptyAuditChain(trx));
}

async function append(trx: Transaction<Database>, actor: Actor, entry: AuditEntry): Promise<void> {
	await insertAuditRows(trx, chained([contentOf(actor, entry)], await lockChain(trx)));
}

/** Appends to the audit log; inside the caller's transaction when given one, so both commit together. */
export async function recordAudit(
	db: Db | Transaction<Database>,
	actor: Actor,
	entry: AuditEntry
): Promise<void> {
	if (db.isTransaction) return append(db as Transaction<Database>, actor, entry);
	await db.transaction().execute((trx) => append(trx, actor, entry));
}

/**
 * Records in the caller's transaction, as `recordAudit` does, but without taking the chain's
 * lock: the row waits in `audit_pending` and `chainPendingAudit` links it soon after commit.
 * For the paths a rush goes through, where every transaction queueing on that one lock until
 * it commits made the rush slow (see the booking bench in README.md).
 */
export async function recordAuditAfterCommit(
	trx: Transaction<Database>,
	actor: Actor,
	entry: AuditEntry
): Promise<void> {
	await insertPendingAuditRow(trx, pendingAuditRow(actor, entry));
}

/**
 * The `audit_pending` row of an entry, for a statement that writes it itself (see
 * `pendingAuditRowFrom`); chained after commit, as `recordAuditAfterCommit` does.
 */
export function pendingAuditRow(actor: Actor, entry: AuditEntry) {
	const content = contentOf(actor, entry);
	return { ...content, details: JSON.stringify(content.details) };
}

/**
 * Moves the committed pending rows into the chain, oldest first, in batches. Any number of
 * servers may run it at once: each batch holds the chain's lock, and reads the pending rows
 * only once it has it. Returns how many rows were chained.
 */
export async function chainPendingAudit(db: Db, batchSize = 500): Promise<number> {
	let moved = 0;
	for (;;) {
		const count = await db.transaction().execute(async (trx) => {
			const last = await lockChain(trx);
			const pending = await takePendingAuditRows(trx, batchSize);
			await insertAuditRows(
				trx,
				chained(
					pending.map(({ id: _id, ...content }) => content),
					last
				)
			);
			return pending.length;
		});
		moved += count;
		if (count < batchSize) return moved;
	}
}

export type ChainProblem = {
	id: number;
	problem:
		'changed' | 'missing_before' | 'missing_after' | 'downgraded' | 'unknown_key' | AnchorProblem;
};

export interface VerifyOptions {
	key?: AuditKey;
	/** The newest head written outside the database: rows cut off after it are found. */
	anchor?: Anchor;
	batchSize?: number;
}

export interface VerifyResult {
	rows: number;
	problems: ChainProblem[];
	/** Rows written before the audit key existed, checked by the old unkeyed rule. */
	unkeyedRows: number;
}

/**
 * Walks the chain in one snapshot (a read-only REPEATABLE READ transaction), so rows written while
 * it runs are not seen half: reports rows whose content no longer matches their hash, gaps, rows
 * cut off at the end, and, with an anchor, a log shorter than or different from the anchored one.
 */
export async function verifyAuditChain(db: Db, options: VerifyOptions = {}): Promise<VerifyResult> {
	const key = options.key ?? currentAuditKey();
	const batchSize = options.batchSize ?? 5000;
	return db
		.transaction()
		.setIsolationLevel('repeatable read')
		.setAccessMode('read only')
		.execute(async (trx) => {
			const problems: ChainProblem[] = [];
			let expectedId = 1;
			let prevHash = GENESIS_HASH;
			let rows = 0;
			let unkeyedRows = 0;
			let keyedSeen = false;
			for (;;) {
				const batch = await findAuditBatch(trx, expectedId, batchSize);
				if (batch.length === 0) break;
				for (const row of batch) {
					rows += 1;
					if (row.id !== expectedId || row.prev_hash !== prevHash)
						problems.push({ id: row.id, problem: 'missing_before' });
					if (row.key_id === null) {
						unkeyedRows += 1;
						// Once the key is in use every row carries it: an unkeyed row after a keyed one was rewritten.
						if (keyedSeen) problems.push({ id: row.id, problem: 'downgraded' });
						else if (auditHash(row, key) !== row.hash)
							problems.push({ id: row.id, problem: 'changed' });
					} else if (row.key_id !== key.id) {
						keyedSeen = true;
						problems.push({ id: row.id, problem: 'unknown_key' });
					} else {
						keyedSeen = true;
						if (auditHash(row, key) !== row.hash) problems.push({ id: row.id, problem: 'changed' });
					}
					expectedId = row.id + 1;
					prevHash = row.hash;
				}
			}
			const head = await findAuditHead(trx);
			if (head && (head.last_id !== expectedId - 1 || head.last_hash !== prevHash)) {
				problems.push({ id: expectedId - 1, problem: 'missing_after' });
			}
			if (options.anchor) problems.push(...(await checkAnchor(trx, options.anchor, key)));
			return { rows, problems, unkeyedRows };
		});
}
