import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../../../src/lib/server/db';

/** A process's name, parent and CPU time in ms (Linux `/proc`; USER_HZ is 100), or null once it is gone. */
function processInfo(pid: string): { comm: string; ppid: string; ms: number } | null {
	try {
		const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
		const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return { comm, ppid: fields[1], ms: (Number(fields[11]) + Number(fields[12])) * 10 };
	} catch {
		return null;
	}
}

/**
 * The PostgreSQL server behind `db`, as the parent of one of its backends: CPU readings then count
 * that server's processes only, not another PostgreSQL on the same machine.
 */
export async function postmasterOf(db: Db): Promise<string | null> {
	const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
	return processInfo(String(rows[0].pid))?.ppid ?? null;
}

/**
 * CPU time, in ms, used by the app servers and by the PostgreSQL processes of `postmaster` (all
 * PostgreSQL processes when null), counted between two readings for the processes alive at both.
 * Per request, it shows where a request's cost lies apart from what else the machine does.
 */
export function cpuReading(
	servers: ChildProcess[],
	postmaster: string | null
): Map<string, number> {
	const serverPids = new Set(servers.map((s) => String(s.pid)));
	const reading = new Map<string, number>();
	for (const pid of existsSync('/proc') ? readdirSync('/proc') : []) {
		if (!/^\d+$/.test(pid)) continue;
		const proc = processInfo(pid);
		if (!proc) continue;
		if (serverPids.has(pid)) reading.set(`servers:${pid}`, proc.ms);
		else if (proc.comm === 'postgres' && (postmaster === null || proc.ppid === postmaster))
			reading.set(`postgres:${pid}`, proc.ms);
	}
	return reading;
}

export function cpuBetween(before: Map<string, number>, after: Map<string, number>) {
	const used = { servers: 0, postgres: 0 };
	for (const [key, ms] of after) {
		const was = before.get(key);
		if (was !== undefined) used[key.split(':')[0] as keyof typeof used] += ms - was;
	}
	return used;
}
