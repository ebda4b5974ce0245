/**
 * The end-to-end server: a fresh database with a small demo history, the demo accounts, two more
 * personas for the access matrix, an API key (written to a file the tests read), and a real SMTP
 * server whose messages land as files the tests read. Then the production build on top of it.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { createDatabase } from '../../../src/lib/server/db';
import { migrateToLatest } from '../../../src/lib/server/db/migrate';
import { API_SCOPES, createApiKey } from '../../../src/lib/server/api-keys/api-key.service';
import { seedDemo } from '../../../src/lib/server/demo/seed';
import { DEMO_ACCOUNTS, seedDemoAccounts } from '../../../src/lib/server/demo/accounts';
import { seedDemoPlanning } from '../../../src/lib/server/demo/planning';
import { ingestEvents } from '../../../src/lib/server/events/event.service';
import { book } from '../../../src/lib/server/planning/booking.service';
import {
	closeSlot,
	createLocation,
	generateSlots,
	setTemplateSlot
} from '../../../src/lib/server/planning/capacity.service';
import { findSlotIdsOfDay } from '../../../src/lib/server/planning/planning.repository';
import { addDays, dutchDate, isoWeekdayOf, startOfDutchDay } from '../../../src/lib/time';
import {
	e2eAppDatabaseUrlFile,
	e2eKeyFile,
	e2eMailDir,
	e2ePlanningFile,
	e2eStateDir
} from './paths';
import { e2eScopedKeysFile } from './api';
import { testCertificate } from './push';

/** The owner's (or a superuser's) connection: it creates the database and migrates. */
const url = process.env.E2E_DATABASE_URL;
// Production refuses to start without an audit key; a fixed one, so tests can check the chain.
const env: NodeJS.ProcessEnv = {
	...process.env,
	DEMO_SEED: 'off',
	NODE_ENV: 'production',
	AUDIT_KEY: process.env.AUDIT_KEY || 'e2e-audit-key-0123456789abcdef0123456789',
	// The suite searches slots as the demo applicant many times in a few minutes; the limit
	// itself is tested in tests/unit/planning/applicant.test.ts.
	PLANNER_SEARCHES_PER_10_MINUTES: '1000',
	// As `npm start`: the routes hold bodies to their own limits (src/lib/server/http/body-limit.ts).
	BODY_SIZE_LIMIT: 'Infinity'
};

rmSync(e2eStateDir, { recursive: true, force: true });
mkdirSync(e2eMailDir, { recursive: true });

if (url) {
	const target = new URL(url);
	const name = target.pathname.slice(1);
	target.pathname = '/postgres';
	const admin = new pg.Client({ connectionString: target.toString() });
	await admin.connect();
	await admin.query(`drop database if exists "${name}" with (force)`);
	await admin.query(`create database "${name}"`);
	await admin.end();
	env.MIGRATION_DATABASE_URL = url;
} else {
	env.PGLITE_DATA_DIR = `${e2eStateDir}/pglite`;
	// Production refuses the embedded database unless told otherwise; these tests mean it.
	env.ALLOW_EMBEDDED_DATABASE = 'yes';
	delete env.DATABASE_URL;
	delete env.MIGRATION_DATABASE_URL;
}

const db = createDatabase({ url, pgliteDir: env.PGLITE_DATA_DIR });
await migrateToLatest(db);
const summary = await seedDemo(db, { scale: Number(process.env.E2E_SCALE ?? 0.005) });
const planning = await seedDemoPlanning(db);
const invited = await seedSecondInvitedApplicant();
const nearHearing = await seedApplicantNearHearing();
const triageAccepted = await seedWaitingAsylumCase('IND-2026-90000005', 'Demo Applicant E', 5);
const triageRefused = await seedWaitingAsylumCase('IND-2026-90000006', 'Demo Applicant F', 6);
const triageBadInput = await seedWaitingAsylumCase('IND-2026-90000007', 'Demo Applicant G', 7);
const pushed = await seedWaitingAsylumCase('IND-2026-90000008', 'Demo Applicant H', 8);
await seedDemoAccounts(db, [
	...DEMO_ACCOUNTS,
	{
		email: 'referent-y@demo.test',
		name: 'Referent Polder Photonics',
		kind: 'referent',
		roles: [{ role: 'referent_admin', kvk: '90000002' }]
	},
	{
		email: 'applicant3@demo.test',
		name: invited.name,
		kind: 'applicant',
		vNumber: invited.vNumber
	},
	{
		email: 'applicant4@demo.test',
		name: nearHearing.name,
		kind: 'applicant',
		vNumber: nearHearing.vNumber
	},
	// Each asks for faster handling in tests/e2e/applicant/priority-request.spec.ts.
	{
		email: 'applicant5@demo.test',
		name: triageAccepted.name,
		kind: 'applicant',
		vNumber: triageAccepted.vNumber
	},
	{
		email: 'applicant6@demo.test',
		name: triageRefused.name,
		kind: 'applicant',
		vNumber: triageRefused.vNumber
	},
	// Sends bad input in tests/e2e/applicant/priority-request-bad-input.spec.ts.
	{
		email: 'applicant7@demo.test',
		name: triageBadInput.name,
		kind: 'applicant',
		vNumber: triageBadInput.vNumber
	},
	// Turns on web push in tests/e2e/applicant/push.spec.ts; the spec moves this case on.
	{
		email: 'applicant8@demo.test',
		name: pushed.name,
		kind: 'applicant',
		vNumber: pushed.vNumber
	},
	{
		email: 'referent-member@demo.test',
		name: 'Member of Demo Tech',
		kind: 'referent',
		roles: [
			{
				role: 'referent_member',
				kvk: DEMO_ACCOUNTS.find((a) => a.email === 'referent@demo.test')!.roles![0].kvk
			}
		]
	},
	{
		email: 'spare-staff@demo.test',
		name: 'Spare Staff',
		kind: 'staff',
		roles: [{ role: 'planner' }]
	}
]);
await bookNearHearing(nearHearing, 'applicant4@demo.test');
// Every test shares this key: a limit well above what the suite sends, so only the limited key meets it.
const { key } = await createApiKey(db, {
	label: 'end-to-end tests',
	scopes: API_SCOPES,
	requestsPerMinute: 100_000
});
const scoped = {
	eventsOnly: (await createApiKey(db, { label: 'e2e events only', scopes: ['events:write'] })).key,
	lettersOnly: (await createApiKey(db, { label: 'e2e letters only', scopes: ['letters:issue'] }))
		.key,
	limited: (
		await createApiKey(db, { label: 'e2e limited', scopes: API_SCOPES, requestsPerMinute: 3 })
	).key
};
writeFileSync(e2ePlanningFile, JSON.stringify(await planningFixtures(planning.locations)));
await db.destroy();
// The server connects as the app role, which may only read and append to the audit log.
if (url) {
	env.DATABASE_URL = await appRoleUrl(url);
	writeFileSync(e2eAppDatabaseUrlFile, env.DATABASE_URL);
}
writeFileSync(e2eKeyFile, key);
writeFileSync(e2eScopedKeysFile, JSON.stringify(scoped));
console.log(
	`e2e database ready on ${url ? 'PostgreSQL' : 'PGlite'}: ${summary.cases} cases, ${summary.events} events`
);

/**
 * An asylum case submitted three hours ago and waiting in the registration interview's queue,
 * behind the simulated history's cases there: its applicant asks for faster handling.
 */
async function seedWaitingAsylumCase(reference: string, name: string, series: number) {
	const person = { name, vNumber: `100000000${series}` };
	await submitWaitingAsylumCase(
		reference,
		person,
		{ birthDate: '1991-02-03', language: 'ar' },
		series
	);
	return person;
}

/**
 * An asylum case submitted three hours ago, in the registration interview's queue; with
 * `invitedTo`, invited to book that interview at this location within four weeks. Event ids are
 * fixed per `series`, so a restart sends duplicates that change nothing.
 */
async function submitWaitingAsylumCase(
	reference: string,
	person: { name: string; vNumber: string },
	applicant: { birthDate: string; language: string },
	series: number,
	invitedTo?: string
) {
	const hour = 3_600_000;
	const at = (ago: number) => new Date(Date.now() - ago * hour).toISOString();
	const id = (n: number) => `7d1c5a4e-2b3f-4c8d-9e0f-0a1b2c3d4e${series}${n}`;
	await ingestEvents(db, {
		events: [
			{
				id: id(1),
				type: 'case.submitted',
				occurredAt: at(3),
				case: reference,
				data: {
					product: 'asiel',
					vNumber: person.vNumber,
					applicant: { name: person.name, ...applicant }
				}
			},
			{
				id: id(2),
				type: 'case.stage_entered',
				occurredAt: at(2),
				case: reference,
				data: { stage: 'registration_interview_queue' }
			},
			...(invitedTo
				? [
						{
							id: id(3),
							type: 'hearing.invited',
							occurredAt: at(1),
							case: reference,
							data: {
								kind: 'registration_interview',
								bookBefore: addDays(dutchDate(new Date()), 28),
								locations: [invitedTo]
							}
						}
					]
				: [])
		]
	});
}

/**
 * A third applicant with an asylum case invited to Zevenaar only (one room per time), through the
 * event service: the waitlist test frees a scarce place by booking and cancelling there, and the
 * wrong-person tests post this case's invitation as the demo applicant. Applicant B gets none.
 */
async function seedSecondInvitedApplicant() {
	const reference = 'IND-2026-90000003';
	const person = { name: 'Demo Applicant C', vNumber: '1000000003' };
	await submitWaitingAsylumCase(
		reference,
		person,
		{ birthDate: '1993-05-06', language: 'en' },
		1,
		'ZEVENAAR'
	);
	return person;
}

/**
 * A fourth applicant, whose hearing starts within the 48-hour cut-off: an asylum case invited to a
 * location of its own, whose only time is tomorrow at 12:00 (between 12 and 36 hours ahead).
 * `bookNearHearing` books it once the account exists; booking so late is allowed, changing is not.
 */
async function seedApplicantNearHearing() {
	const reference = 'IND-2026-90000004';
	const person = { name: 'Demo Applicant D', vNumber: '1000000004' };
	const tomorrow = addDays(dutchDate(new Date()), 1);
	const system = { userId: null, role: 'system' };
	const location = await createLocation(
		db,
		{
			code: 'DENBOSCH',
			name: 'IND Den Bosch',
			address: 'Leeghwaterlaan 14, 5223 BA ’s-Hertogenbosch'
		},
		system
	);
	await setTemplateSlot(
		db,
		{
			locationId: location.id,
			kind: 'registration_interview',
			weekday: isoWeekdayOf(tomorrow),
			startTime: '12:00',
			rooms: 1
		},
		system
	);
	await generateSlots(db, { locationId: location.id, from: tomorrow, weeks: 1 }, system);
	const [slotId] = await findSlotIdsOfDay(
		db,
		location.id,
		startOfDutchDay(tomorrow),
		startOfDutchDay(addDays(tomorrow, 1))
	);
	await submitWaitingAsylumCase(
		reference,
		person,
		{ birthDate: '1990-02-03', language: 'nl' },
		2,
		'DENBOSCH'
	);
	return { ...person, reference, slotId };
}

/** Books the near hearing's only time as its applicant would, through the booking service. */
async function bookNearHearing(near: { reference: string; slotId: number }, email: string) {
	const { invitation, user } = await db
		.selectFrom('case')
		.innerJoin('hearing_invitation', 'hearing_invitation.case_id', 'case.id')
		.innerJoin('app_user', 'app_user.applicant_id', 'case.applicant_id')
		.select(['hearing_invitation.id as invitation', 'app_user.id as user'])
		.where('case.reference', '=', near.reference)
		.where('app_user.email', '=', email)
		.executeTakeFirstOrThrow();
	await book(db, {
		invitationId: invitation,
		slotId: near.slotId,
		idempotencyKey: randomUUID(),
		actor: { userId: user, role: 'applicant' }
	});
}

/**
 * Slots the bad-input tests post: one that has passed, and one a planner closed (a weekday at
 * Ter Apel a week ahead, its last time).
 */
async function planningFixtures(locations: Record<string, number>) {
	const today = dutchDate(new Date());
	const weekday = (start: number, step: number) => {
		let day = addDays(today, start);
		while (isoWeekdayOf(day) > 5) day = addDays(day, step);
		return day;
	};
	const slotsOf = (day: string) =>
		findSlotIdsOfDay(db, locations.TERAPEL, startOfDutchDay(day), startOfDutchDay(addDays(day, 1)));
	const [pastSlot] = await slotsOf(weekday(-3, -1));
	const ahead = await slotsOf(weekday(8, 1));
	const closedSlot = ahead[ahead.length - 1];
	await closeSlot(db, {
		slotId: closedSlot,
		reason: 'e2e: the room is being repaired',
		actor: { userId: null, role: 'planner' }
	});
	return { pastSlot, closedSlot };
}

/**
 * E2E_APP_DATABASE_URL (CI creates that login role), or else a login role made here. Either way it
 * is given mijn_aanvraag_app, which the migration created.
 */
async function appRoleUrl(ownerUrl: string): Promise<string> {
	const given = process.env.E2E_APP_DATABASE_URL;
	const appUrl = new URL(given ?? ownerUrl);
	const owner = new pg.Client({ connectionString: ownerUrl });
	await owner.connect();
	try {
		if (!given) {
			appUrl.username = 'mijn_aanvraag_e2e_app';
			appUrl.password = 'e2e';
			await owner.query(`do $$ begin
				create role mijn_aanvraag_e2e_app login password 'e2e';
			exception when duplicate_object or unique_violation then null;
			end $$`);
		}
		await owner.query(`grant mijn_aanvraag_app to "${decodeURIComponent(appUrl.username)}"`);
	} finally {
		await owner.end();
	}
	return appUrl.toString();
}

let received = 0;
const smtp = new SMTPServer({
	authOptional: true,
	disabledCommands: ['STARTTLS'],
	onData(stream, session, callback) {
		const chunks: Buffer[] = [];
		stream.on('data', (chunk: Buffer) => chunks.push(chunk));
		stream.on('end', () => {
			received += 1;
			const to = session.envelope.rcptTo.map((r) => r.address).join(',');
			writeFileSync(
				join(e2eMailDir, `${String(received).padStart(4, '0')}.eml`),
				`X-Envelope-To: ${to}\r\n${Buffer.concat(chunks).toString('utf8')}`
			);
			callback();
		});
	}
});
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
const smtpPort = (smtp.server.address() as { port: number }).port;
env.SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
// The push spec's own push service speaks HTTPS with a throwaway certificate; the server trusts it.
env.NODE_EXTRA_CA_CERTS = testCertificate(e2eStateDir).certFile;

const server = spawn(process.execPath, ['build'], { env, stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => {
	smtp.close();
	process.exit(code ?? 0);
});
