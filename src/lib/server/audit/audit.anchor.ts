import { hmac } from '@oslojs/crypto/hmac';
import { SHA256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database, Db } from '$lib/server/db';
import type { AuditKey } from './audit.key';
import { findAuditPrefix, findLastAuditRow } from './audit.repository';

/**
 * The head of the audit chain, written outside the database (a log line, and a file when
 * configured). A chain that was cut off after it, or rewritten before it, no longer matches it.
 */
export interface Anchor {
	at: string;
	keyId: string;
	/** Rows with id up to lastId; the ids have no gaps, so normally equal to lastId. */
	rows: number;
	lastId: number;
	hash: string;
	/** HMAC of the above with the audit key: an anchor cannot be forged either. */
	mac: string;
}

export type AnchorProblem =
	'anchor_forged' | 'anchor_other_key' | 'anchor_cut_off' | 'anchor_differs';

export const ANCHOR_PREFIX = 'audit-anchor ';
const GENESIS_HASH = '0'.repeat(64);

function anchorMac(anchor: Omit<Anchor, 'mac'>, key: AuditKey): string {
	const text = JSON.stringify([
		'audit-anchor',
		anchor.at,
		anchor.keyId,
		anchor.rows,
		anchor.lastId,
		anchor.hash
	]);
	return encodeHexLowerCase(hmac(SHA256, key.secret, new TextEncoder().encode(text)));
}

type Reader = Db | Transaction<Database>;

async function headIn(trx: Reader): Promise<{ rows: number; lastId: number; hash: string }> {
	const last = await findLastAuditRow(trx);
	if (!last) return { rows: 0, lastId: 0, hash: GENESIS_HASH };
	const { rows } = await findAuditPrefix(trx, last.id);
	return { rows, lastId: last.id, hash: last.hash };
}

/** The current head, read in one snapshot and signed. */
export async function currentAnchor(db: Db, key: AuditKey, at = new Date()): Promise<Anchor> {
	const head = await db
		.transaction()
		.setIsolationLevel('repeatable read')
		.setAccessMode('read only')
		.execute(headIn);
	const unsigned = { at: at.toISOString(), keyId: key.id, ...head };
	return { ...unsigned, mac: anchorMac(unsigned, key) };
}

export function anchorLine(anchor: Anchor): string {
	return `${ANCHOR_PREFIX}${JSON.stringify(anchor)}`;
}

/** The newest anchor in a file of anchor lines (or a log that contains them), or null. */
export function newestAnchorIn(file: string): Anchor | null {
	const lines = readFileSync(file, 'utf8').split('\n');
	for (let i = lines.length - 1; i >= 0; i--) {
		const at = lines[i].indexOf(ANCHOR_PREFIX);
		if (at === -1) continue;
		try {
			const value = JSON.parse(lines[i].slice(at + ANCHOR_PREFIX.length)) as Anchor;
			if (
				typeof value.lastId === 'number' &&
				typeof value.rows === 'number' &&
				typeof value.hash === 'string'
			)
				return value;
		} catch {
			// A line cut short by a crash: an older one still counts.
		}
	}
	return null;
}

function sameText(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

/** Compares the log, in the caller's snapshot, with an anchor. */
export async function checkAnchor(
	trx: Reader,
	anchor: Anchor,
	key: AuditKey
): Promise<Array<{ id: number; problem: AnchorProblem }>> {
	if (anchor.keyId !== key.id) return [{ id: anchor.lastId, problem: 'anchor_other_key' }];
	const { mac, ...unsigned } = anchor;
	if (typeof mac !== 'string' || !sameText(mac, anchorMac(unsigned, key)))
		return [{ id: anchor.lastId, problem: 'anchor_forged' }];
	if (anchor.lastId === 0) return [];
	const { rows, hash } = await findAuditPrefix(trx, anchor.lastId);
	if (hash === null || rows < anchor.rows)
		return [{ id: anchor.lastId, problem: 'anchor_cut_off' }];
	if (hash !== anchor.hash) return [{ id: anchor.lastId, problem: 'anchor_differs' }];
	return [];
}

let lastWritten: string | undefined;

/**
 * Writes the current head as a log line and, with a file, appends it there too. An unchanged head
 * is not written again: the previous anchor still holds.
 */
export async function writeAnchor(
	db: Db,
	key: AuditKey,
	options: { file?: string | null; log?: (line: string) => void } = {}
): Promise<Anchor | null> {
	const anchor = await currentAnchor(db, key);
	const state = `${key.id}:${anchor.rows}:${anchor.lastId}:${anchor.hash}:${options.file ?? ''}`;
	if (state === lastWritten) return null;
	const line = anchorLine(anchor);
	(options.log ?? console.log)(line);
	if (options.file) {
		mkdirSync(dirname(options.file), { recursive: true });
		appendFileSync(options.file, `${line}\n`, { mode: 0o600 });
	}
	lastWritten = state;
	return anchor;
}

/**
 * AUDIT_ANCHOR_FILE. Outside production it defaults to audit-anchor.log beside the embedded
 * database (.data/audit-anchor.log for the demo), so that each database has its own anchors.
 */
export function anchorFileFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
	if (env.AUDIT_ANCHOR_FILE) return env.AUDIT_ANCHOR_FILE;
	if (env.NODE_ENV === 'production') return null;
	if (env.DATABASE_URL) return './.data/audit-anchor.log';
	const dir = env.PGLITE_DATA_DIR || './.data/pglite';
	return dir === 'memory' ? null : join(dirname(dir), 'audit-anchor.log');
}
