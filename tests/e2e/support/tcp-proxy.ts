import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that plays the database's failures:
 * - `pass`: forwards both ways;
 * - `refuse`: resets every open connection and every new one (a stopped server);
 * - `hang`: accepts new connections but forwards nothing, and stops forwarding on open ones
 *   (a hung server or a network that drops packets: nobody ever answers, nobody says no).
 * Leaving `hang` resets the connections that hung, as a firewall that forgot them would.
 */
export type ProxyMode = 'pass' | 'refuse' | 'hang';

interface Pair {
	client: Socket;
	server: Socket | null;
	hung: boolean;
}

export class TcpProxy {
	mode: ProxyMode = 'pass';
	readonly connections = new Set<Pair>();
	accepted = 0;
	private server: Server;

	private constructor(
		private readonly target: { host: string; port: number },
		server: Server
	) {
		this.server = server;
	}

	static async start(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
		// Assigned once below; the connection callback needs the name before the proxy exists.
		// eslint-disable-next-line prefer-const
		let proxy!: TcpProxy;
		const server = createServer({ pauseOnConnect: true }, (socket) => proxy.accept(socket));
		proxy = new TcpProxy(target, server);
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => resolve());
		});
		return proxy;
	}

	get port(): number {
		return (this.server.address() as { port: number }).port;
	}

	/** `postgres://…@127.0.0.1:<proxy port>/…` for a URL that points at the target. */
	urlFor(url: string): string {
		const through = new URL(url);
		through.hostname = '127.0.0.1';
		through.port = String(this.port);
		return through.toString();
	}

	/** `keepHung`: connections that hung stay hung when passing resumes, for new connections only. */
	setMode(mode: ProxyMode, options: { keepHung?: boolean } = {}): void {
		this.mode = mode;
		if (mode === 'refuse') for (const pair of this.connections) this.reset(pair);
		if (mode === 'hang') for (const pair of this.connections) this.hang(pair);
		if (mode === 'pass' && !options.keepHung)
			for (const pair of this.connections) if (pair.hung) this.reset(pair);
	}

	/** Resets every open connection, whatever the mode. */
	resetAll(): void {
		for (const pair of this.connections) this.reset(pair);
	}

	async close(): Promise<void> {
		this.resetAll();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private accept(client: Socket): void {
		this.accepted += 1;
		client.on('error', () => {});
		if (this.mode === 'refuse') {
			client.resetAndDestroy();
			return;
		}
		const pair: Pair = { client, server: null, hung: false };
		this.connections.add(pair);
		client.on('close', () => {
			// A hung network does not carry the client's goodbye either.
			if (!pair.hung) pair.server?.destroy();
			if (!pair.hung) this.connections.delete(pair);
		});
		if (this.mode === 'hang') {
			this.hang(pair);
			return;
		}
		const server = connect(this.target.port, this.target.host);
		pair.server = server;
		server.on('error', () => client.destroy());
		server.on('close', () => {
			if (!pair.hung) {
				client.destroy();
				this.connections.delete(pair);
			}
		});
		client.pipe(server);
		server.pipe(client);
		client.resume();
	}

	private hang(pair: Pair): void {
		pair.hung = true;
		pair.client.unpipe();
		pair.server?.unpipe();
		// Read and drop, so that the sender's writes succeed as they would into a silent network.
		pair.client.removeAllListeners('data');
		pair.client.on('data', () => {});
		pair.client.resume();
		if (pair.server) {
			pair.server.removeAllListeners('data');
			pair.server.on('data', () => {});
			pair.server.resume();
		}
	}

	private reset(pair: Pair): void {
		this.connections.delete(pair);
		pair.hung = false;
		if (!pair.client.destroyed) pair.client.resetAndDestroy();
		if (pair.server && !pair.server.destroyed) pair.server.resetAndDestroy();
	}
}
