/**
 * Bad input to a request for faster handling, against the running server: an empty explanation,
 * an 11 MB file, six files, a forged case reference, a huge multipart body (with and without a
 * length) and a connection broken mid-upload. Each gets a clear Dutch message or a clean abort,
 * never a 500, and afterwards nothing of it is stored: no document, no saved answer, no request.
 */
import { connect } from 'node:net';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { baseURL } from '../../../playwright.config';
import { signIn } from '../support/auth';

const OWN_CASE = 'IND-2026-90000007';
/** Applicant E's case, filed in tests/e2e/applicant/priority-request.spec.ts. */
const OTHER_CASE = 'IND-2026-90000005';
const MB = 1024 * 1024;
const phone = { width: 390, height: 844 };

const pdf = (size: number) => {
	const head = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n');
	return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), 0x20)]);
};

let context: BrowserContext;
let page: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
	// Without JavaScript: the page the server sends back is all the person has.
	context = await browser.newContext({ viewport: phone, javaScriptEnabled: false });
	page = await context.newPage();
	await signIn(page, 'applicant7@demo.test', undefined, 'nl');
	await page.goto(`/cases/${OWN_CASE}/priority-request?lang=nl`);
	await page.getByRole('button', { name: 'Een verzoek beginnen' }).click();
	await expect(page.getByLabel('Leg uw situatie uit')).toBeVisible();
});

test.afterAll(async () => {
	await context.close();
});

/** The draft as the server holds it, read afresh: no documents and no saved answer. */
async function expectNothingStored() {
	await page.goto(`/cases/${OWN_CASE}/priority-request?lang=nl`);
	await expect(page.getByText('U heeft nog geen documenten toegevoegd.')).toBeVisible();
	await expect(page.getByLabel('Leg uw situatie uit')).toHaveValue('');
	await expect(
		page.getByRole('checkbox', { name: 'Een acute medische situatie' })
	).not.toBeChecked();
}

async function fillAnswers(explanation: string) {
	await page.getByRole('checkbox', { name: 'Een acute medische situatie' }).check();
	await page.getByRole('checkbox', { name: /Ik geef toestemming/ }).check();
	await page.getByLabel('Leg uw situatie uit').fill(explanation);
}

async function save() {
	await page.getByRole('button', { name: 'Bewaren en later verdergaan' }).click();
	await expect(page).toHaveTitle(/^Fout: /);
}

const summary = () => page.locator('.error-summary');

test('an 11 MB file is refused, and neither it nor the answers are stored', async () => {
	await fillAnswers('Mijn dochter moet geopereerd worden.');
	await page.getByLabel('Kies bestanden').setInputFiles({
		name: 'scan.pdf',
		mimeType: 'application/pdf',
		buffer: pdf(11 * MB)
	});
	await save();
	await expect(
		summary().getByRole('link', { name: /Elk bestand mag hoogstens 10 MB zijn/ })
	).toBeVisible();
	// What they typed is shown again, not lost; it is not saved either.
	await expect(page.getByLabel('Leg uw situatie uit')).toHaveValue(
		'Mijn dochter moet geopereerd worden.'
	);
	await expect(page.getByRole('checkbox', { name: 'Een acute medische situatie' })).toBeChecked();
	await expectNothingStored();
});

test('six files at once are refused, and none of them is stored', async () => {
	await fillAnswers('Mijn dochter moet geopereerd worden.');
	await page.getByLabel('Kies bestanden').setInputFiles(
		Array.from({ length: 6 }, (_, i) => ({
			name: `brief-${i + 1}.pdf`,
			mimeType: 'application/pdf',
			buffer: pdf(2048)
		}))
	);
	await save();
	await expect(
		summary().getByRole('link', { name: /U kunt hoogstens 5 documenten toevoegen/ })
	).toBeVisible();
	await expect(page.getByLabel('Leg uw situatie uit')).toHaveValue(
		'Mijn dochter moet geopereerd worden.'
	);
	await expectNothingStored();
});

/** The session's cookies as a header, for requests sent by hand. */
async function cookieHeader() {
	return (await context.cookies(baseURL)).map((c) => `${c.name}=${c.value}`).join('; ');
}

function multipart(boundary: string, fields: Record<string, string>, file?: Buffer) {
	const parts = Object.entries(fields).map(
		([name, value]) =>
			`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
	);
	const head = Buffer.from(
		parts.join('') +
			(file
				? `--${boundary}\r\nContent-Disposition: form-data; name="documents"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n`
				: '')
	);
	return { head, file: file ?? Buffer.alloc(0), tail: Buffer.from(`\r\n--${boundary}--\r\n`) };
}

/** A multipart form posted as a browser without JavaScript posts it, with the session's cookies. */
function postForm(path: string, boundary: string, body: Buffer) {
	return page.request.post(path, {
		headers: {
			'content-type': `multipart/form-data; boundary=${boundary}`,
			accept: 'text/html',
			origin: baseURL
		},
		data: body,
		maxRedirects: 0
	});
}

const ANSWERS = {
	grounds_medical: 'on',
	healthConsent: 'on',
	explanation: 'Verstuurd met de hand.',
	next: 'stay'
};

test('a forged case reference, however spelled, reads and stores nothing of another case', async () => {
	for (const reference of [OTHER_CASE, 'IND-2026-9000000%35', 'IND-2026-99999999']) {
		const read = await page.goto(`/cases/${reference}/priority-request?lang=nl`);
		expect(read!.status()).toBe(404);
		for (const action of ['start', 'save', 'withdraw']) {
			const boundary = 'forged';
			const { head, file, tail } = multipart(boundary, ANSWERS, pdf(2048));
			const response = await postForm(
				`/cases/${reference}/priority-request?/${action}&lang=nl`,
				boundary,
				Buffer.concat([head, file, tail])
			);
			expect(response.status(), `${action} on ${reference}`).toBe(404);
		}
	}
	// Applicant E still finds no request on their case: nothing was started or added to it.
	const other = await context.browser()!.newContext({ viewport: phone });
	const theirs = await other.newPage();
	await signIn(theirs, 'applicant5@demo.test', undefined, 'nl');
	await theirs.goto(`/cases/${OTHER_CASE}/priority-request?lang=nl`);
	await expect(theirs.getByRole('button', { name: 'Een verzoek beginnen' })).toBeVisible();
	await other.close();
	await expectNothingStored();
});

interface RawResponse {
	status: number;
	body: string;
}

/** Writes a chunk of the body; false once the server has answered or the connection is gone. */
type Write = (chunk: Buffer) => Promise<boolean>;

/**
 * A POST written to the socket by hand: `send` writes the body, until the server answers, and may
 * break the connection off. Resolves with the server's answer, or null when the connection closed
 * without one.
 */
function rawPost(
	path: string,
	headers: Record<string, string>,
	send: (write: Write, destroy: () => void) => Promise<void>
): Promise<RawResponse | null> {
	const url = new URL(path, baseURL);
	return new Promise((resolve, reject) => {
		// The server listens on IPv4; `localhost` may first resolve to ::1.
		const socket = connect(Number(url.port), '127.0.0.1');
		const received: Buffer[] = [];
		let answered = false;
		socket.on('data', (chunk) => {
			received.push(chunk);
			answered = true;
		});
		// A write after the server closed fails (EPIPE); its answer has been read by then.
		socket.on('error', () => {});
		socket.on('close', () => {
			const text = Buffer.concat(received).toString('utf8');
			const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
			resolve(status ? { status: Number(status[1]), body: text } : null);
		});
		socket.on('connect', () => {
			const lines = [
				`POST ${url.pathname}${url.search} HTTP/1.1`,
				`Host: ${url.host}`,
				'Connection: close',
				...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)
			];
			socket.write(lines.join('\r\n') + '\r\n\r\n');
			const write: Write = async (chunk) => {
				if (answered || socket.destroyed) return false;
				if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
				// Lets the server's answer be read between writes.
				await new Promise((r) => setImmediate(r));
				return !answered && !socket.destroyed;
			};
			send(write, () => socket.destroy()).catch(reject);
		});
		setTimeout(() => socket.destroy(), 60_000);
	});
}

test('a huge multipart body is refused with the form’s message, with or without a length', async () => {
	const boundary = 'huge';
	const saveUrl = `/cases/${OWN_CASE}/priority-request?/save&lang=nl`;
	const base = {
		'Content-Type': `multipart/form-data; boundary=${boundary}`,
		Accept: 'text/html',
		Cookie: await cookieHeader(),
		Origin: baseURL
	};
	const { head } = multipart(boundary, ANSWERS, Buffer.alloc(0));
	const megabyte = Buffer.alloc(MB, 0x20);
	/** The answers, then a file part that never ends: `megabytes` of it at most. */
	const pump = async (write: Write, megabytes: number) => {
		if (!(await write(head))) return;
		for (let i = 0; i < megabytes; i++) if (!(await write(megabyte))) return;
	};
	const chunkedly: (write: Write) => Write = (write) => async (chunk) =>
		(await write(Buffer.from(`${chunk.length.toString(16)}\r\n`))) &&
		(await write(chunk)) &&
		write(Buffer.from('\r\n'));

	// Declared at 2 GB: refused from the header, before the body is read; the client waits.
	const declared = await rawPost(
		saveUrl,
		{ ...base, 'Content-Length': String(2 * 1024 * MB) },
		async (write) => void (await write(head))
	);
	expect(declared?.status).toBe(413);
	expect(declared?.body).toContain('De bestanden zijn samen te groot');

	// Without a length (chunked), the reading stops at the limit: 51 MB of five 10 MB files.
	const chunked = await rawPost(saveUrl, { ...base, 'Transfer-Encoding': 'chunked' }, (write) =>
		pump(chunkedly(write), 200)
	);
	expect(chunked?.status).toBe(413);
	expect(chunked?.body).toMatch(
		/Elk bestand mag hoogstens 10 MB zijn|De bestanden zijn samen te groot/
	);
	await expectNothingStored();
});

test('a connection broken mid-upload stores nothing, and the server goes on serving', async () => {
	const boundary = 'broken';
	const { head, file, tail } = multipart(boundary, ANSWERS, pdf(3 * MB));
	const answer = await rawPost(
		`/cases/${OWN_CASE}/priority-request?/save&lang=nl`,
		{
			'Content-Type': `multipart/form-data; boundary=${boundary}`,
			'Content-Length': String(head.length + file.length + tail.length),
			Accept: 'text/html',
			Cookie: await cookieHeader(),
			Origin: baseURL
		},
		async (write, destroy) => {
			await write(head);
			await write(file.subarray(0, MB));
			await new Promise((r) => setTimeout(r, 500));
			destroy();
		}
	);
	expect(answer).toBeNull();
	expect((await page.request.get('/api/health')).status()).toBe(200);
	await expectNothingStored();

	// The same upload, whole, is stored: what was refused above was only the broken connection.
	const whole = await postForm(
		`/cases/${OWN_CASE}/priority-request?/save&lang=nl`,
		boundary,
		Buffer.concat([head, file, tail])
	);
	expect(whole.status()).toBe(303);
	await page.goto(`/cases/${OWN_CASE}/priority-request?lang=nl`);
	await expect(page.getByRole('link', { name: 'scan.pdf' })).toBeVisible();
	await expect(page.getByLabel('Leg uw situatie uit')).toHaveValue('Verstuurd met de hand.');
});

test('an empty explanation is refused when sending, and the request is not sent', async () => {
	await page.goto(`/cases/${OWN_CASE}/priority-request?lang=nl`);
	await page.getByLabel('Leg uw situatie uit').fill('  \n  ');
	await page.getByRole('button', { name: 'Verder naar uw antwoorden controleren' }).click();
	await expect(
		page.getByRole('heading', { level: 1, name: 'Controleer uw antwoorden voordat u ze verstuurt' })
	).toBeVisible();
	await page.getByRole('checkbox', { name: /Ik verklaar/ }).check();
	await page.getByRole('button', { name: 'Verzoek versturen' }).click();
	await expect(page).toHaveTitle(/^Fout: /);
	await expect(summary().getByRole('link', { name: 'Leg uw situatie uit' })).toBeVisible();
	// Still a draft: no receipt, and the form to fill in is there.
	await page.goto(`/cases/${OWN_CASE}/priority-request?lang=nl`);
	await expect(
		page.getByRole('button', { name: 'Verder naar uw antwoorden controleren' })
	).toBeVisible();
	await expect(page.getByLabel('Leg uw situatie uit')).toHaveValue('');
});

test('no other applicant, referent or counter user reads the document, however the URL is spelled', async () => {
	await page.goto(`/cases/${OWN_CASE}/priority-request?lang=nl`);
	const href = (await page.getByRole('link', { name: 'scan.pdf' }).getAttribute('href'))!;
	const document = href.split('/').pop()!;
	expect((await page.request.get(href)).headers()['content-type']).toBe('application/pdf');
	const spellings = [
		href,
		href.replace('/cases/', '/c%61ses/'),
		href.replace(OWN_CASE, OWN_CASE.toLowerCase()),
		`/cases/IND-2026-90000001/priority-request/documents/${document}`
	];
	for (const email of ['applicant@demo.test', 'referent@demo.test', 'counter@demo.test']) {
		const other = await context.browser()!.newContext();
		const theirs = await other.newPage();
		await signIn(theirs, email, undefined, 'nl');
		for (const path of spellings) {
			const response = await theirs.request.get(path, { maxRedirects: 0 });
			expect([403, 404], `${email} GET ${path}`).toContain(response.status());
			expect(response.headers()['content-type'] ?? '').not.toContain('application/pdf');
		}
		await other.close();
	}
});
