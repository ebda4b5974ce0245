import pg from 'pg';

/**
 * Sessions this app server has checked, kept in memory so that a request need not ask PostgreSQL
 * who is signed in. It is only used while the server provably hears PostgreSQL's `session_changed`
 * notifications, which triggers send whenever a session ends or an account, its roles or its
 * second factor change (migration `notify_session_changes`):
 *
 * - a heartbeat query runs on the listening connection every quarter second; PostgreSQL delivers
 *   every notification committed before a query started ahead of that query's answer. An entry
 *   is used only while a heartbeat that started less than a second ago has been answered, so a
 *   session ended anywhere is refused by every server within a second, even when the listening
 *   connection dies without a word;
 * - when the connection drops, the cache empties and every request asks the database again until
 *   the connection is back.
 *
 * The cache only says yes more quickly: a session it holds that looks expired or idle is looked up
 * again before it is ended.
 */
export interface SessionCache<Row extends { userId: number }> {
	/** The row of a session id: from memory when that is provably current, else from `load`. */
	read(id: string, load: () => Promise<Row | undefined>): Promise<Row | undefined>;
	/** Replaces what is held for a session after this server changed it. */
	update(id: string, row: Row): void;
	forget(id: string): void;
	close(): Promise<void>;
}

const HEARTBEAT_MS = 250;
/** How the listening connection shows in `pg_stat_activity`. */
export const SESSION_CACHE_APPLICATION = 'mijn-aanvraag session cache';
/** The longest a session ended elsewhere may still be accepted here. */
export const SESSION_END_WITHIN_MS = 1000;
const MAX_ENTRIES = 50_000;
const ENTRY_TTL_MS = 60_000;
const RECONNECT_MS = [250, 1000, 2000, 5000];

interface Entry<Row> {
	row: Row;
	storedAt: number;
}

export class ListeningSessionCache<Row extends { userId: number }> implements SessionCache<Row> {
	private readonly entries = new Map<string, Entry<Row>>();
	/** Rises with every notification, so that a lookup that raced one is not stored. */
	private epoch = 0;
	/** When the newest answered heartbeat was sent; 0 while not listening. */
	private confirmedAt = 0;
	private client: pg.Client | undefined;
	private heartbeat: NodeJS.Timeout | undefined;
	private reconnect: NodeJS.Timeout | undefined;
	private failures = 0;
	private closed = false;

	constructor(
		private readonly connectionString: string,
		private readonly clock: () => number = () => performance.now()
	) {
		void this.connect();
	}

	/** Whether entries may be used now. */
	get listening(): boolean {
		return this.confirmedAt > 0 && this.clock() - this.confirmedAt < SESSION_END_WITHIN_MS;
	}

	get size(): number {
		return this.entries.size;
	}

	async read(id: string, load: () => Promise<Row | undefined>): Promise<Row | undefined> {
		const now = this.clock();
		if (this.listening) {
			const entry = this.entries.get(id);
			if (entry && now - entry.storedAt < ENTRY_TTL_MS) return entry.row;
		}
		const epoch = this.epoch;
		const row = await load();
		if (row && this.listening && epoch === this.epoch) this.store(id, row);
		return row;
	}

	update(id: string, row: Row): void {
		if (this.entries.has(id)) this.store(id, row);
	}

	forget(id: string): void {
		this.epoch++;
		this.entries.delete(id);
	}

	async close(): Promise<void> {
		this.closed = true;
		clearInterval(this.heartbeat);
		clearTimeout(this.reconnect);
		this.drop();
		await this.client?.end().catch(() => {});
	}

	private store(id: string, row: Row): void {
		this.entries.delete(id);
		this.entries.set(id, { row, storedAt: this.clock() });
		if (this.entries.size > MAX_ENTRIES) {
			const oldest = this.entries.keys().next().value;
			if (oldest !== undefined) this.entries.delete(oldest);
		}
	}

	private notified(payload: string | undefined): void {
		this.epoch++;
		if (!payload || payload === '*') this.entries.clear();
		else if (payload.startsWith('s:')) this.entries.delete(payload.slice(2));
		else if (payload.startsWith('u:')) {
			const userId = Number(payload.slice(2));
			for (const [id, entry] of this.entries)
				if (entry.row.userId === userId) this.entries.delete(id);
		}
	}

	private drop(): void {
		this.confirmedAt = 0;
		this.epoch++;
		this.entries.clear();
	}

	private async connect(): Promise<void> {
		if (this.closed) return;
		const client = new pg.Client({
			connectionString: this.connectionString,
			application_name: SESSION_CACHE_APPLICATION,
			keepAlive: true,
			connectionTimeoutMillis: 2000,
			query_timeout: SESSION_END_WITHIN_MS
		});
		const lost = () => {
			if (this.client !== client) return;
			this.client = undefined;
			clearInterval(this.heartbeat);
			this.drop();
			client.end().catch(() => {});
			if (!this.closed) {
				const wait = RECONNECT_MS[Math.min(this.failures++, RECONNECT_MS.length - 1)];
				this.reconnect = setTimeout(() => void this.connect(), wait);
				this.reconnect.unref();
			}
		};
		this.client = client;
		client.on('error', lost);
		client.on('end', lost);
		client.on('notification', (message) => this.notified(message.payload));
		try {
			await client.connect();
			await client.query('listen session_changed');
			this.failures = 0;
			await this.beat(client);
			this.heartbeat = setInterval(() => void this.beat(client), HEARTBEAT_MS);
			this.heartbeat.unref();
		} catch {
			lost();
		}
	}

	private async beat(client: pg.Client): Promise<void> {
		const sentAt = this.clock();
		try {
			await client.query('select 1');
			if (this.client === client) this.confirmedAt = Math.max(this.confirmedAt, sentAt);
		} catch {
			// A heartbeat that got no answer in time: the connection is treated as lost.
			if (this.client === client) client.emit('end');
		}
	}
}
