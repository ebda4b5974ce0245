/**
 * When the rows that `recordAuditAfterCommit` left pending are chained: soon after the
 * transactions that wrote them commit (a nudge, on this server, that gathers what arrives within
 * a few milliseconds into one run), and every minute before the anchor is written, for what a
 * crash or another server left behind.
 */
import type { Db } from '$lib/server/db';
import { chainPendingAudit } from './audit.service';

const NUDGE_DELAY_MS = 20;

let active: Db | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let running: Promise<void> = Promise.resolve();

function chainNow(db: Db): Promise<void> {
	running = running
		.then(() => chainPendingAudit(db))
		.then(
			() => undefined,
			(err: unknown) => console.error('Audit: pending rows not chained; the next run will', err)
		);
	return running;
}

export function startAuditChain(db: Db): void {
	active = db;
}

/** Chains what is pending once more, so that a server that stops leaves nothing behind. */
export async function stopAuditChain(): Promise<void> {
	const db = active;
	active = null;
	if (timer) clearTimeout(timer);
	timer = null;
	if (db) await chainNow(db);
}

/** Asks for a run soon. Call it after the transaction that recorded commits. Never throws. */
export function nudgeAuditChain(): void {
	const db = active;
	if (!db || timer) return;
	timer = setTimeout(() => {
		timer = null;
		void chainNow(db);
	}, NUDGE_DELAY_MS);
	timer.unref();
}
