/**
 * A push service of our own for tests: an HTTPS server on 127.0.0.1 (with a throwaway
 * certificate the sender is told to trust) that records what it receives, a browser's side of a
 * subscription made with WebCrypto, and an independent RFC 8291 decryption (`http_ece`) and
 * RFC 8292 VAPID check of what arrived.
 */
import { execFileSync } from 'node:child_process';
import { createECDH, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import ece from 'http_ece';

export interface TestCertificate {
	certFile: string;
	cert: string;
	key: string;
}

/** A self-signed certificate for 127.0.0.1 in `dir`, made once by openssl. */
export function testCertificate(dir: string): TestCertificate {
	mkdirSync(dir, { recursive: true });
	const certFile = join(dir, 'push-cert.pem');
	const keyFile = join(dir, 'push-key.pem');
	if (!existsSync(certFile))
		execFileSync(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'ec',
				'-pkeyopt',
				'ec_paramgen_curve:prime256v1',
				'-nodes',
				'-keyout',
				keyFile,
				'-out',
				certFile,
				'-days',
				'2',
				'-subj',
				'/CN=127.0.0.1',
				'-addext',
				'subjectAltName=IP:127.0.0.1'
			],
			{ stdio: 'ignore' }
		);
	return { certFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

export interface ReceivedPush {
	path: string;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

export interface PushReceiver {
	/** An endpoint on this server; POSTs to it are answered with `status` (201 by default; 0: never). */
	endpoint(name: string, status?: number): string;
	received: ReceivedPush[];
	/** Resolves with the first message to arrive at `name` (or rejects after `timeoutMs`). */
	next(name: string, timeoutMs?: number): Promise<ReceivedPush>;
	close(): Promise<void>;
}

export async function startPushReceiver(certificate: TestCertificate): Promise<PushReceiver> {
	const statuses = new Map<string, number>();
	const received: ReceivedPush[] = [];
	const waiting: { path: string; resolve: (p: ReceivedPush) => void }[] = [];
	const server: Server = createServer(
		{ cert: certificate.cert, key: certificate.key },
		(request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (c: Buffer) => chunks.push(c));
			request.on('end', () => {
				const path = request.url ?? '';
				const push = { path, headers: request.headers, body: Buffer.concat(chunks) };
				received.push(push);
				for (const w of waiting.filter((w) => w.path === path)) {
					waiting.splice(waiting.indexOf(w), 1);
					w.resolve(push);
				}
				const status = statuses.get(path) ?? 201;
				// 0: a push service that takes the message and never answers.
				if (status !== 0) response.writeHead(status).end();
			});
		}
	);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	const pathOf = (name: string) => `/push/${name}`;
	return {
		received,
		endpoint(name, status = 201) {
			statuses.set(pathOf(name), status);
			return `https://127.0.0.1:${port}${pathOf(name)}`;
		},
		next(name, timeoutMs = 15_000) {
			const path = pathOf(name);
			const already = received.find((r) => r.path === path);
			if (already) return Promise.resolve(already);
			return new Promise((resolve, reject) => {
				const timer = setTimeout(
					() => reject(new Error(`no push arrived at ${path} within ${timeoutMs} ms`)),
					timeoutMs
				);
				waiting.push({
					path,
					resolve: (p) => {
						clearTimeout(timer);
						resolve(p);
					}
				});
			});
		},
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			})
	};
}

/** What a browser makes when it subscribes: a P-256 key pair and a 16-byte auth secret. */
export interface BrowserKeys {
	p256dh: string;
	auth: string;
	privateKey: string;
}

export async function browserKeys(): Promise<BrowserKeys> {
	const pair = await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
		'deriveBits'
	]);
	const raw = Buffer.from(await webcrypto.subtle.exportKey('raw', pair.publicKey));
	const jwk = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
	return {
		p256dh: raw.toString('base64url'),
		auth: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('base64url'),
		privateKey: jwk.d!
	};
}

/** Decrypts an aes128gcm message (RFC 8188 with RFC 8291's keys) as the browser would. */
export function decryptPush(body: Buffer, keys: BrowserKeys): unknown {
	const receiver = createECDH('prime256v1');
	receiver.setPrivateKey(Buffer.from(keys.privateKey, 'base64url'));
	const plain: Buffer = ece.decrypt(body, {
		version: 'aes128gcm',
		privateKey: receiver,
		authSecret: keys.auth
	});
	return JSON.parse(plain.toString('utf8'));
}

export interface VapidClaims {
	aud: string;
	exp: number;
	sub: string;
	publicKey: string;
}

/**
 * Checks the `Authorization: vapid t=<JWT>, k=<key>` header (RFC 8292 §3): an ES256 JWT signed
 * by the key `k`. Returns its claims; throws when the signature does not verify.
 */
export async function verifyVapid(authorization: string | undefined): Promise<VapidClaims> {
	const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization ?? '');
	if (!match) throw new Error(`not a vapid authorization: ${authorization}`);
	const [, jwt, k] = match;
	const [header, claims, signature] = jwt.split('.');
	const head = JSON.parse(Buffer.from(header, 'base64url').toString());
	if (head.alg !== 'ES256') throw new Error(`JWT alg is ${head.alg}`);
	const key = await webcrypto.subtle.importKey(
		'raw',
		Buffer.from(k, 'base64url'),
		{ name: 'ECDSA', namedCurve: 'P-256' },
		false,
		['verify']
	);
	const ok = await webcrypto.subtle.verify(
		{ name: 'ECDSA', hash: 'SHA-256' },
		key,
		Buffer.from(signature, 'base64url'),
		Buffer.from(`${header}.${claims}`)
	);
	if (!ok) throw new Error('the VAPID signature does not verify');
	return { ...JSON.parse(Buffer.from(claims, 'base64url').toString()), publicKey: k };
}
