/**
 * The hearing planner under a rush, on PostgreSQL with two app server processes on one
 * database: 5,000 applicants, each with a fresh invitation, try to book one of 500 places at
 * once over HTTP (the booking form's action, as the page's JavaScript sends it), 50 requests at a
 * time, split over the two servers. Ten runs, after two warm-up rushes whose times are not counted.
 * Sessions are made in the database: 5,000 sign-ins would measure argon2, not booking. Run
 * `npm run build` first. Knobs: BENCH_RUNS, BENCH_WARM_UPS, BENCH_APPLICANTS, BENCH_CONNECTIONS,
 * BENCH_ORDER (`shuffled` or `grouped`, see ORDER) and BENCH_SERVER_FLAGS (Node flags for the
 * servers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 *
 * Pass: exactly 500 appointments every run, none oversold, no interpreter booked twice at one
 * moment (checked by SQL over the appointments, apart from the key that should prevent it), no
 * 5xx answer (a 503 counts), booking p99 ≤ 300 ms; and the slot search of one invitation over
 * 14 days × 20 locations (the service, in this process) p99 ≤ 20 ms: the searches the booking
 * page makes, the first free time at each of the 20 locations and every free time at the one
 * chosen. The whole list (1,440 slots), which no page asks for, is measured and printed beside.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../src/lib/server/db';
import { createSession, generateToken } from '../../src/lib/server/auth/session';
import { ingestEvents } from '../../src/lib/server/events/event.service';
import {
	addInterpreter,
	addShift,
	createLocation,
	generateSlots,
	setTemplateSlot
} from '../../src/lib/server/planning/capacity.service';
import { findBookableSlots } from '../../src/lib/server/planning/booking.service';
import { addDays, dutchDate, dutchWallTime } from '../../src/lib/time';
import { createRandom } from '../../src/lib/server/demo/random';
import { benchDatabaseUrl, freshPostgres } from './support/databases';
import { cpuBetween, cpuReading, postmasterOf } from './support/cpu';
import { newReference, submitted } from '../unit/helpers/factories';

const APPLICANTS = Number(process.env.BENCH_APPLICANTS ?? 5000);
const LOCATIONS = 20;
/** Per location: five overlapping one-hour slots of five rooms, 25 places; 500 in all. */
const STARTS = ['09:00', '09:30', '10:00', '10:30', '11:00'];
const ROOMS = 5;
const INTERPRETERS = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
/**
 * Three. After one, the servers used more CPU per attempt in the first counted run than in runs
 * 6–10 in 7 of 8 benches (1.5–2.1 ms against a median of 1.2–1.6), and that run was the slowest in
 * 4: V8 was still optimising the booking path, which each server had run 250 times. After two, the
 * first counted run still used 1.9 ms against a median of 1.55 and was the slowest (390 ms p99
 * against 190–263); after three, 1.4 against 1.5, and no longer the slowest (3 December).
 */
const WARM_UPS = Number(process.env.BENCH_WARM_UPS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/**
 * The order the applicants send in. `shuffled` (the default): a seeded random order, as
 * applicants arrive independently of the place they try. `grouped`: in the order the places were
 * handed out, so that the first 500 requests are exactly the 500 that win a room, all at the
 * rush's start: the worst case for the tail.
 */
const ORDER = process.env.BENCH_ORDER === 'grouped' ? 'grouped' : 'shuffled';
const PORTS = [4391, 4392];
const staff = { userId: null, role: 'planner' } as const;
/** Node flags for the app servers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them. */
const serverFlags = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);

interface Applicant {
	reference: string;
	cookie: string;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function applicantsWithSessions(db: Db): Promise<Applicant[]> {
	const references = Array.from({ length: APPLICANTS }, () => newReference());
	for (let i = 0; i < references.length; i += 1000)
		await ingestEvents(db, {
			events: references
				.slice(i, i + 1000)
				.map((r) => submitted(r, new Date(Date.now() - 86_400_000).toISOString()))
		});
	const rows = await sql<{ reference: string; user_id: number }>`
		insert into app_user (email, password_hash, display_name, kind, applicant_id)
		select lower(c.reference) || '@bench.test', 'not-used', 'Bench', 'applicant', c.applicant_id
		from "case" c where c.reference = any(${references}::text[])
		returning id as user_id, (select reference from "case" where applicant_id = app_user.applicant_id) as reference`.execute(
		db
	);
	const applicants: Applicant[] = [];
	for (const row of rows.rows) {
		const token = generateToken();
		await createSession(db, token, row.user_id, 'applicant', 'bench');
		applicants.push({ reference: row.reference, cookie: `session=${token}` });
	}
	return applicants.sort((a, b) => a.reference.localeCompare(b.reference));
}

/** 20 locations with 500 places on one day, interpreters of Arabic, and an invitation each. */
async function prepareRun(db: Db, run: number, applicants: Applicant[]) {
	const day = addDays(dutchDate(new Date()), 7 + run);
	const locations: { code: string; slots: number[] }[] = [];
	for (let i = 0; i < LOCATIONS; i += 1) {
		const location = await createLocation(
			db,
			{ code: `R${run}L${i}`, name: `Bench ${run}/${i}`, address: 'Rijnstraat 8, Den Haag' },
			staff
		);
		const slots = await db
			.insertInto('slot')
			.values(
				STARTS.map((start) => {
					const startsAt = dutchWallTime(day, start);
					return {
						location_id: location.id,
						kind: 'registration_interview',
						starts_at: startsAt,
						ends_at: new Date(startsAt.getTime() + 3600_000),
						rooms: ROOMS
					};
				})
			)
			.returning('id')
			.execute();
		for (let n = 0; n < INTERPRETERS; n += 1) {
			const { id } = await addInterpreter(db, { locationId: location.id, language: 'ar' }, staff);
			await addShift(
				db,
				{
					interpreterId: id,
					startsAt: dutchWallTime(day, '08:00'),
					endsAt: dutchWallTime(day, '13:00')
				},
				staff
			);
		}
		locations.push({ code: location.code, slots: slots.map((s) => s.id) });
	}
	// Every fifth applicant needs an interpreter: overlapping slots share each location's pool.
	const events = applicants.map((a, i) => ({
		id: randomUUID(),
		type: 'hearing.invited',
		occurredAt: new Date().toISOString(),
		case: a.reference,
		data: {
			kind: 'registration_interview',
			bookBefore: addDays(day, 7),
			locations: [locations[i % LOCATIONS].code],
			...(i % 5 === 0 ? { interpreterLanguage: 'ar', interpreterInPerson: true } : {})
		}
	}));
	for (let i = 0; i < events.length; i += 1000)
		await ingestEvents(db, { events: events.slice(i, i + 1000) });
	const invitations = await sql<{ reference: string; id: number }>`
		select distinct on (c.reference) c.reference, i.id from hearing_invitation i
		join "case" c on c.id = i.case_id
		where c.reference = any(${applicants.map((a) => a.reference)}::text[])
		order by c.reference, i.id desc`.execute(db);
	const invitationOf = new Map(invitations.rows.map((r) => [r.reference, r.id]));
	// Statistics as a database that has run for a while has them, not those of the tables before
	// this bulk load (pgbench analyses its tables before a run for the same reason).
	await sql`analyze`.execute(db);
	// Applicant i tries one slot of their location: 50 tries for each slot of five rooms.
	const attempts = applicants.map((a, i) => {
		const location = locations[i % LOCATIONS];
		return {
			...a,
			invitation: invitationOf.get(a.reference)!,
			interpreter: i % 5 === 0,
			slot: location.slots[Math.floor(i / LOCATIONS) % STARTS.length],
			port: PORTS[i % PORTS.length]
		};
	});
	if (ORDER === 'grouped') return attempts;
	// Fisher–Yates with a fixed seed per run: each run sends in the same order every bench.
	const random = createRandom(1000 + run);
	for (let i = attempts.length - 1; i > 0; i -= 1) {
		const j = Math.floor(random.next() * (i + 1));
		[attempts[i], attempts[j]] = [attempts[j], attempts[i]];
	}
	return attempts;
}

/**
 * Waits (up to 30 s) until the servers and PostgreSQL use under 5% of a core for half a second;
 * returns the seconds waited.
 */
async function untilQuiet(servers: ChildProcess[], postmaster: string | null): Promise<number> {
	const started = performance.now();
	for (let tries = 0; tries < 60; tries += 1) {
		const before = cpuReading(servers, postmaster);
		await new Promise((r) => setTimeout(r, 500));
		const used = cpuBetween(before, cpuReading(servers, postmaster));
		if (used.servers + used.postgres < 25) break;
	}
	return (performance.now() - started) / 1000;
}

/**
 * The machine's speed just before a rush: the median of nine times of a fixed piece of work like a
 * server's (JSON, strings, small objects), in ms. The machine is a virtual one whose speed varies;
 * a slow rush after a slow calibration was a slow machine, not slower code.
 */
function calibrationMs(): number {
	const rows = Array.from({ length: 2000 }, (_, i) => ({
		id: i,
		reference: `IND-${i}`,
		at: i * 7
	}));
	const times: number[] = [];
	for (let round = 0; round < 9; round += 1) {
		const started = performance.now();
		for (let i = 0; i < 10; i += 1) JSON.parse(JSON.stringify(rows));
		times.push(performance.now() - started);
	}
	return round1(percentile(times, 50));
}

/**
 * Plain `http.request` rather than `fetch`: the client shares the two cores with the servers and
 * PostgreSQL, and undici's fetch cost it 0.4–0.7 ms of CPU per request against 0.2, time that
 * would be counted as the servers' latency. Each rush opens its connections afresh, as its
 * applicants' browsers would; kept between rushes they outlive the servers' keep-alive time.
 */
function post(
	agent: http.Agent,
	port: number,
	path: string,
	request: { headers: Record<string, string>; body: string }
): Promise<{ status: number; body: string; resent: number }> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			{
				host: 'localhost',
				port,
				path,
				method: 'POST',
				agent,
				headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) }
			},
			(res) => {
				let body = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => (body += chunk));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body, resent: 0 }));
				res.on('error', reject);
			}
		);
		req.on('error', (error: NodeJS.ErrnoException) => {
			// A kept-alive connection that the server closed for idleness just as this request went
			// out on it: a browser sends the request again on a new connection, and so does this
			// client (Node's docs, `request.reusedSocket`). The same idempotency key goes with it.
			if (req.reusedSocket && error.code === 'ECONNRESET')
				post(agent, port, path, request).then(
					(again) => resolve({ ...again, resent: again.resent + 1 }),
					reject
				);
			else reject(error);
		});
		req.end(request.body);
	});
}

async function rush(attempts: Awaited<ReturnType<typeof prepareRun>>) {
	const latencies: number[] = [];
	/** By order of sending: the tenths of the rush, to see whether the tail is at its start. */
	const bySent: number[][] = Array.from({ length: 10 }, () => []);
	const byOutcome = new Map<string, number[]>();
	const outcomes = new Map<string, number>();
	let resent = 0;
	let next = 0;
	const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
	const worker = async () => {
		while (next < attempts.length) {
			const sent = next;
			const a = attempts[next++];
			const origin = `http://localhost:${a.port}`;
			const started = performance.now();
			let outcome: string;
			try {
				const response = await post(agent, a.port, `/cases/${a.reference}/appointment?/book`, {
					headers: {
						cookie: a.cookie,
						origin,
						accept: 'application/json',
						'x-sveltekit-action': 'true',
						'content-type': 'application/x-www-form-urlencoded'
					},
					body: new URLSearchParams({
						invitation: String(a.invitation),
						slot: String(a.slot),
						key: randomUUID()
					}).toString()
				});
				resent += response.resent;
				let body: { type?: string; status?: number } = {};
				try {
					body = JSON.parse(response.body);
				} catch {
					// An answer that is not JSON is counted by its HTTP status.
				}
				outcome =
					response.status >= 500
						? `http ${response.status}`
						: `${body.type ?? 'unknown'} ${body.status ?? response.status}`;
			} catch (err) {
				outcome = `network ${(err as Error).message}`;
			}
			const took = performance.now() - started;
			latencies.push(took);
			bySent[Math.floor((10 * sent) / attempts.length)].push(took);
			if (a.interpreter) outcome += ' interpreter';
			const times = byOutcome.get(outcome);
			if (times) times.push(took);
			else byOutcome.set(outcome, [took]);
			outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
		}
	};
	const started = performance.now();
	await Promise.all(Array.from({ length: CONNECTIONS }, worker));
	agent.destroy();
	// Where the tail is: the bookings that won a room, or the refusals.
	const p99ByOutcome = Object.fromEntries(
		[...byOutcome].map(([o, times]) => [o, Math.round(percentile(times, 99))])
	);
	return {
		latencies,
		outcomes,
		p99ByOutcome,
		p99ByTenth: bySent.map((times) => Math.round(percentile(times, 99))),
		resent,
		seconds: (performance.now() - started) / 1000
	};
}

async function invariants(db: Db, run: number) {
	const { rows } = await sql<{
		appointments: number;
		oversold: number;
		taken_mismatch: number;
		interpreter_clashes: number;
	}>`
		with run_slots as (
			select s.* from slot s join hearing_location l on l.id = s.location_id
			where l.code like ${`R${run}L%`}
		), active as (
			select a.*, s.starts_at, s.ends_at from appointment a join run_slots s on s.id = a.slot_id
			where a.status = 'active'
		)
		select
			(select count(*)::int from active) as appointments,
			(select count(*)::int from run_slots s
				where (select count(*) from active a where a.slot_id = s.id) > s.rooms) as oversold,
			(select count(*)::int from run_slots s
				where s.taken <> (select count(*) from active a where a.slot_id = s.id)) as taken_mismatch,
			(select count(*)::int from active a join active b
				on a.interpreter_id = b.interpreter_id and a.id < b.id
				and a.starts_at < b.ends_at and b.starts_at < a.ends_at) as interpreter_clashes`.execute(db);
	return rows[0];
}

/** 20 locations with a fortnight of slots (8 a weekday), and one invitation for all of them. */
async function slotSearch(db: Db, applicant: { reference: string }) {
	const from = addDays(dutchDate(new Date()), 1);
	const codes: string[] = [];
	for (let i = 0; i < LOCATIONS; i += 1) {
		const location = await createLocation(
			db,
			{ code: `S${i}`, name: `Search ${i}`, address: 'Rijnstraat 8, Den Haag' },
			staff
		);
		codes.push(location.code);
		for (let weekday = 1; weekday <= 5; weekday += 1)
			for (const start of ['09:00', '09:30', '10:00', '10:30', '13:00', '13:30', '14:00', '14:30'])
				await setTemplateSlot(
					db,
					{
						locationId: location.id,
						kind: 'biometrics',
						weekday,
						startTime: start,
						rooms: 4
					},
					staff
				);
		await generateSlots(db, { locationId: location.id, from, weeks: 3 }, staff);
	}
	await ingestEvents(db, {
		events: [
			{
				id: randomUUID(),
				type: 'hearing.invited',
				occurredAt: new Date().toISOString(),
				case: applicant.reference,
				data: { kind: 'biometrics', bookBefore: addDays(from, 30), locations: codes }
			}
		]
	});
	// A database in service has its planner statistics from autovacuum; these tables were filled
	// a moment ago, and autovacuum looks once a minute.
	await sql`analyze`.execute(db);
	const { rows } = await sql<{ id: number; user_id: number }>`
		select i.id, u.id as user_id from hearing_invitation i join "case" c on c.id = i.case_id
		join app_user u on u.applicant_id = c.applicant_id
		where c.reference = ${applicant.reference} and i.kind = 'biometrics'`.execute(db);
	const base = {
		invitationId: rows[0].id,
		userId: rows[0].user_id,
		from: new Date(),
		days: 14
	};
	// The booking page's searches: its first step asks for the first free time at each location,
	// its next ones for every free time at the location chosen. The whole list is measured too.
	const searches = {
		firstPerLocation: { ...base, firstPerLocation: true },
		oneLocation: { ...base, location: codes[7] },
		everything: base
	};
	const measured: Record<string, { slots: number; p50: number; p99: number }> = {};
	for (const [name, query] of Object.entries(searches)) {
		const found = (await findBookableSlots(db, query)).length;
		for (let i = 0; i < 50; i += 1) await findBookableSlots(db, query);
		const times: number[] = [];
		for (let i = 0; i < 1000; i += 1) {
			const started = performance.now();
			await findBookableSlots(db, query);
			times.push(performance.now() - started);
		}
		measured[name] = { slots: found, p50: percentile(times, 50), p99: percentile(times, 99) };
	}
	return measured;
}

export default async function run(): Promise<void> {
	const url = benchDatabaseUrl();
	if (!url) {
		console.log(
			'The booking bench needs PostgreSQL: set BENCH_DATABASE_URL (or TEST_DATABASE_URL).'
		);
		console.log(`RESULT ${JSON.stringify({ skipped: 'no PostgreSQL' })}`);
		return;
	}
	if (!existsSync('build/index.js'))
		throw new Error('build/ is missing: run `npm run build` first');
	const handle = await freshPostgres(url, 'bench_booking', 10);
	const { db } = handle;
	const servers: ChildProcess[] = [];
	try {
		console.log(`Making ${APPLICANTS} applicants with cases and sessions…`);
		const applicants = await applicantsWithSessions(db);
		const postmaster = await postmasterOf(db);
		for (const port of PORTS)
			servers.push(
				spawn(process.execPath, [...serverFlags, 'build'], {
					env: {
						...process.env,
						DATABASE_URL: handle.url,
						PORT: String(port),
						ORIGIN: `http://localhost:${port}`,
						NODE_ENV: 'production',
						AUDIT_KEY: process.env.AUDIT_KEY || randomBytes(32).toString('base64')
					},
					stdio: ['ignore', 'ignore', 'inherit']
				})
			);
		for (const port of PORTS) {
			let ok = false;
			for (let i = 0; i < 150 && !ok; i++) {
				ok = await fetch(`http://localhost:${port}/api/health`)
					.then((r) => r.ok)
					.catch(() => false);
				if (!ok) await new Promise((r) => setTimeout(r, 200));
			}
			if (!ok) throw new Error(`the app server on port ${port} did not start`);
		}

		// Before the rushes (afterwards the servers are still sending their e-mail and reminder
		// jobs), once the servers have finished starting: the search's own time, not theirs.
		await untilQuiet(servers, postmaster);
		const search = await slotSearch(db, applicants[0]);
		for (const [name, s] of Object.entries(search))
			console.log(
				`Slot search ${name}, 14 days × ${name === 'oneLocation' ? 1 : LOCATIONS} locations (${s.slots} slots found): p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms`
			);
		// What the page asks: its slowest search counts.
		const pageSearchP99 = Math.max(search.firstPerLocation.p99, search.oneLocation.p99);
		// Warm-up rushes bring the servers to where any server that has run for a while is (JIT,
		// connections, plan caches): their times are not counted, their invariants are. Their
		// places are on days of their own, after those of the counted runs.
		const runs = [];
		const rushes = [];
		const warmUps = Array.from({ length: WARM_UPS }, (_, i) => RUNS + i);
		for (const r of [...warmUps, ...Array.from({ length: RUNS }, (_, i) => i)]) {
			const warmUp = r >= RUNS;
			const attempts = await prepareRun(db, r, applicants);
			// Each rush starts on quiet servers: what the one before left to do is not counted.
			const quietAfterSeconds = round1(await untilQuiet(servers, postmaster));
			const machineMs = calibrationMs();
			const cpuBefore = cpuReading(servers, postmaster);
			const clientBefore = process.cpuUsage();
			const { latencies, outcomes, p99ByOutcome, p99ByTenth, resent, seconds } =
				await rush(attempts);
			const cpu = cpuBetween(cpuBefore, cpuReading(servers, postmaster));
			const client = process.cpuUsage(clientBefore);
			const checked = await invariants(db, r);
			const fiveHundreds = [...outcomes]
				.filter(([o]) => /^(http 5|error 5|network)/.test(o) || / 5\d\d\b/.test(o))
				.reduce((n, [, c]) => n + c, 0);
			const figures = {
				run: warmUp ? 'warm-up' : r + 1,
				appointments: checked.appointments,
				oversold: checked.oversold + checked.taken_mismatch,
				interpreterClashes: checked.interpreter_clashes,
				fiveHundreds,
				// Requests sent again after the server closed an idle kept-alive connection under them.
				resent,
				p50Ms: Math.round(percentile(latencies, 50)),
				p99Ms: Math.round(percentile(latencies, 99)),
				perSecond: Math.round(latencies.length / seconds)
			};
			rushes.push(figures);
			if (!warmUp) runs.push(figures);
			console.log(
				JSON.stringify({
					...figures,
					outcomes: Object.fromEntries(outcomes),
					p99ByOutcome,
					p99ByTenth,
					quietAfterSeconds,
					calibrationMs: machineMs,
					cpuMsPerAttempt: {
						servers: round1(cpu.servers / attempts.length),
						postgres: round1(cpu.postgres / attempts.length),
						client: round1((client.user + client.system) / 1000 / attempts.length)
					}
				})
			);
		}
		const worst = {
			runs: runs.length,
			attempts: APPLICANTS,
			places: LOCATIONS * STARTS.length * ROOMS,
			servers: PORTS.length,
			connections: CONNECTIONS,
			order: ORDER,
			appointmentsMin: Math.min(...rushes.map((r) => r.appointments)),
			appointmentsMax: Math.max(...rushes.map((r) => r.appointments)),
			oversold: Math.max(...rushes.map((r) => r.oversold)),
			interpreterClashes: Math.max(...rushes.map((r) => r.interpreterClashes)),
			fiveHundreds: Math.max(...rushes.map((r) => r.fiveHundreds)),
			resent: rushes.reduce((n, r) => n + r.resent, 0),
			bookingP99Ms: Math.max(...runs.map((r) => r.p99Ms)),
			bookingP50Ms: Math.max(...runs.map((r) => r.p50Ms)),
			slotSearchP99Ms: Number(pageSearchP99.toFixed(1)),
			slotSearchAllSlotsP99Ms: Number(search.everything.p99.toFixed(1)),
			slotSearchAllSlots: search.everything.slots
		};
		const pass =
			worst.appointmentsMin === worst.places &&
			worst.appointmentsMax === worst.places &&
			worst.oversold === 0 &&
			worst.interpreterClashes === 0 &&
			worst.fiveHundreds === 0 &&
			worst.bookingP99Ms <= 300 &&
			worst.slotSearchP99Ms <= 20;
		console.log(`RESULT ${JSON.stringify({ ...worst, pass })}`);
	} finally {
		for (const server of servers) server.kill('SIGTERM');
		await new Promise((r) => setTimeout(r, 1500));
		await handle.drop();
	}
}
