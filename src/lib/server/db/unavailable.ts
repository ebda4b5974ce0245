/**
 * Which errors mean "the database cannot be reached or did not answer in time", as opposed to
 * a bug or a refused statement. Those become 503 with Retry-After instead of 500.
 */

/** How many seconds a client is asked to wait before it tries again. */
export const RETRY_AFTER_SECONDS = 10;

/** `unreachable`: refused or lost connection; `timeout`: no answer in time; `overloaded`: the server refuses more work. */
export type DatabaseProblem = 'unreachable' | 'timeout' | 'overloaded';

const NETWORK_CODES: Record<string, DatabaseProblem> = {
	ECONNREFUSED: 'unreachable',
	ECONNRESET: 'unreachable',
	ECONNABORTED: 'unreachable',
	EPIPE: 'unreachable',
	EHOSTUNREACH: 'unreachable',
	ENETUNREACH: 'unreachable',
	EHOSTDOWN: 'unreachable',
	ENOTFOUND: 'unreachable',
	EAI_AGAIN: 'unreachable',
	ETIMEDOUT: 'timeout'
};

/** Messages of pg, pg-pool and Kysely that carry no code. */
const MESSAGES: Array<[RegExp, DatabaseProblem]> = [
	[/^timeout exceeded when trying to connect$/i, 'timeout'],
	[/^Connection terminated due to connection timeout$/i, 'timeout'],
	[/^Query read timeout$/i, 'timeout'],
	[/^timeout expired$/i, 'timeout'],
	[/^Connection terminated( unexpectedly)?$/i, 'unreachable'],
	[/is not queryable$/i, 'unreachable'],
	[/^Postgres connection has been discarded$/i, 'unreachable']
];

function sqlState(error: object): string | undefined {
	const code = (error as { code?: unknown }).code;
	// A server error carries a severity beside its five-character SQLSTATE; Node's codes do not.
	return typeof code === 'string' && 'severity' in error && /^[0-9A-Z]{5}$/.test(code)
		? code
		: undefined;
}

function fromServer(state: string): DatabaseProblem | null {
	if (state === '57014') return 'timeout'; // statement_timeout (or a cancelled query)
	if (state === '55P03') return 'timeout'; // lock_timeout
	if (state === '25P03') return 'unreachable'; // session ended by idle_in_transaction_session_timeout
	if (state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03')
		return 'unreachable';
	if (state.startsWith('53')) return 'overloaded'; // too many connections, out of memory or disk
	return null;
}

/**
 * A query that got no connection within the connect timeout, counting both its wait for a turn
 * (`turns`) and the pool's opening of a connection: refused before it does anything, as the
 * pool refuses a connection it cannot give in time.
 */
export class AdmissionTimeout extends Error {
	constructor(waitedMs: number) {
		super(`no connection to the database within ${Math.round(waitedMs)} ms`);
		this.name = 'AdmissionTimeout';
	}
}

/** What is wrong with the database, when `error` says it is unavailable; null for any other error. */
export function databaseProblem(error: unknown, depth = 0): DatabaseProblem | null {
	if (!error || typeof error !== 'object' || depth > 4) return null;
	if (error instanceof AdmissionTimeout) return 'timeout';
	const state = sqlState(error);
	if (state) return fromServer(state);
	const code = (error as { code?: unknown }).code;
	if (typeof code === 'string' && NETWORK_CODES[code]) return NETWORK_CODES[code];
	const message = (error as { message?: unknown }).message;
	if (typeof message === 'string')
		for (const [pattern, problem] of MESSAGES) if (pattern.test(message)) return problem;
	for (const inner of (error as { errors?: unknown }).errors instanceof Array
		? (error as AggregateError).errors
		: []) {
		const problem = databaseProblem(inner, depth + 1);
		if (problem) return problem;
	}
	return databaseProblem((error as { cause?: unknown }).cause, depth + 1);
}

export function isDatabaseUnavailable(error: unknown): boolean {
	return databaseProblem(error) !== null;
}

/**
 * Whether the connection a query failed on must be thrown away: anything but an error the
 * server reported on a live session (a constraint, a statement or lock timeout, a syntax error).
 */
export function isConnectionBroken(error: unknown): boolean {
	if (!error || typeof error !== 'object') return true;
	const state = sqlState(error);
	if (!state) return true;
	return state.startsWith('08') || state.startsWith('57P') || state === '25P03';
}
