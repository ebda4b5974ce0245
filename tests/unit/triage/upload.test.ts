import { expect, it } from 'vitest';
import { describeEachEngine } from '../helpers/engines';
import {
	getPriorityRequestPage,
	getRequestForOfficer,
	readDocument,
	saveDraft,
	startRequest
} from '$lib/server/triage/triage.service';
import {
	MAX_UPLOAD_BYTES,
	documentResponse,
	receiveDocuments
} from '$lib/server/triage/triage.upload';
import {
	executable,
	newOfficer,
	newWaitingApplicant,
	pdf,
	png,
	refusal,
	sentRequest,
	type TriageApplicant
} from './fixtures';
import type { Db } from '$lib/server/db';

const URL = 'http://localhost/cases/x/priority-request?/upload';
const MB = 1024 * 1024;

function form(files: { name: string; bytes: Uint8Array; type?: string }[]) {
	const data = new FormData();
	data.set('note', 'hidden field');
	for (const f of files)
		data.append(
			'documents',
			new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'application/pdf' }),
			f.name
		);
	return new Request(URL, { method: 'POST', body: data });
}

/** A request whose body stops in the middle of a file, as when the connection breaks. */
async function brokenRequest() {
	const whole = new Uint8Array(await form([{ name: 'a.pdf', bytes: pdf() }]).arrayBuffer());
	const type = form([]).headers.get('content-type')!;
	const boundary = /boundary=(.+)$/.exec(type)![1];
	const cut = whole.slice(0, Math.floor(whole.length * 0.6));
	const body = new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(cut);
			controller.error(new Error('socket hang up'));
		}
	});
	return new Request(URL, {
		method: 'POST',
		body,
		headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
		duplex: 'half'
	} as RequestInit);
}

async function storedFor(db: Db, a: TriageApplicant) {
	const row = await db
		.selectFrom('triage_document')
		.innerJoin('triage_request', 'triage_request.id', 'triage_document.request_id')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('triage_request.case_id', '=', a.caseId)
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

describeEachEngine('uploading documents', ({ db }) => {
	it('stores a PDF and a PNG sent as multipart, by their content type', async () => {
		const a = await newWaitingApplicant(db());
		await startRequest(db(), { reference: a.reference, actor: a.triageActor });
		const docs = await receiveDocuments(
			db(),
			form([
				{ name: 'verklaring.pdf', bytes: pdf() },
				{ name: 'foto.png', bytes: png(), type: 'application/octet-stream' }
			]),
			{ reference: a.reference, actor: a.triageActor }
		);
		expect(docs.map((d) => d.contentType).sort()).toEqual(['application/pdf', 'image/png']);
		expect(await storedFor(db(), a)).toBe(2);
	});

	it('refuses a renamed executable, an 11 MB file, six files, a huge body and a broken upload, storing nothing', async () => {
		const a = await newWaitingApplicant(db());
		await startRequest(db(), { reference: a.reference, actor: a.triageActor });
		const send = (request: Request) =>
			refusal(receiveDocuments(db(), request, { reference: a.reference, actor: a.triageActor }));

		expect(
			await send(
				form([
					{ name: 'brief.pdf', bytes: pdf() },
					{ name: 'scan.pdf', bytes: executable() }
				])
			)
		).toMatchObject({ code: 'document_type', field: 'documents' });

		const eleven = new Uint8Array(11 * MB);
		eleven.set(pdf());
		expect(await send(form([{ name: 'groot.pdf', bytes: eleven }]))).toMatchObject({
			code: 'document_too_large',
			kind: 'too_large'
		});

		const six = Array.from({ length: 6 }, (_, i) => ({ name: `${i}.pdf`, bytes: pdf() }));
		expect(await send(form(six))).toMatchObject({ code: 'too_many_documents' });

		// A body that says it is larger than any upload may be is refused before it is read.
		const huge = new Request(URL, {
			method: 'POST',
			body: 'x',
			headers: {
				'content-type': 'multipart/form-data; boundary=x',
				'content-length': String(MAX_UPLOAD_BYTES + 1)
			}
		});
		expect(await send(huge)).toMatchObject({ code: 'upload_too_large', kind: 'too_large' });
		// And one that does not say so is stopped once it passes the total.
		let started = false;
		const endless = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (!started) {
					started = true;
					controller.enqueue(
						new TextEncoder().encode(
							'--x\r\nContent-Disposition: form-data; name="documents"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
						)
					);
				}
				controller.enqueue(new Uint8Array(MB).fill(120));
			}
		});
		expect(
			await send(
				new Request(URL, {
					method: 'POST',
					body: endless,
					headers: { 'content-type': 'multipart/form-data; boundary=x' },
					duplex: 'half'
				} as RequestInit)
			)
		).toMatchObject({ code: 'document_too_large' });

		expect(await send(await brokenRequest())).toMatchObject({ code: 'upload_broken' });
		expect(await storedFor(db(), a)).toBe(0);
	}, 60_000);

	it('only checks the answers when a file was refused: it refuses them as it would, and saves nothing', async () => {
		const a = await newWaitingApplicant(db());
		await startRequest(db(), { reference: a.reference, actor: a.triageActor });
		const input = { reference: a.reference, actor: a.triageActor, checkOnly: true };
		const answers = {
			grounds: ['medical'],
			explanation: 'Typed before the file.',
			healthConsent: false
		};
		expect(await refusal(saveDraft(db(), { ...input, draft: answers }))).toMatchObject({
			code: 'health_consent_required'
		});
		await saveDraft(db(), { ...input, draft: { ...answers, healthConsent: true } });
		const page = await getPriorityRequestPage(db(), { reference: a.reference, userId: a.userId });
		expect(page.open).toMatchObject({ grounds: [], explanation: '' });
	});
});

describeEachEngine('documents for the officer', ({ db }) => {
	it('an image may come inline; a PDF asked for inline stays an attachment', async () => {
		const request = await sentRequest(db(), await newWaitingApplicant(db()), {
			files: [
				{ name: 'politie.pdf', bytes: pdf() },
				{ name: 'foto brief.png', bytes: png() }
			]
		});
		const officer = await newOfficer(db());
		const { documents: docs } = await getRequestForOfficer(db(), {
			requestId: request.id,
			actor: officer
		});
		const served = async (label: string, inline: boolean) => {
			const doc = await readDocument(db(), {
				documentId: docs.find((d) => d.label === label)!.id,
				reader: { kind: 'officer', actor: officer }
			});
			return documentResponse(doc, { inline });
		};

		const image = await served('foto brief.png', true);
		expect(image.headers.get('content-type')).toBe('image/png');
		expect(image.headers.get('content-disposition')).toBe(
			`inline; filename="foto brief.png"; filename*=UTF-8''foto%20brief.png`
		);
		expect(new Uint8Array(await image.arrayBuffer())).toEqual(png());
		const pdfInline = await served('politie.pdf', true);
		expect(pdfInline.headers.get('content-disposition')).toMatch(/^attachment; /);
		expect(pdfInline.headers.get('content-type')).toBe('application/pdf');
		const download = await served('foto brief.png', false);
		expect(download.headers.get('content-disposition')).toMatch(/^attachment; /);
		// Inline or not: no sniffing, sandboxed, never kept in a cache.
		for (const response of [image, pdfInline, download]) {
			expect(response.headers.get('x-content-type-options')).toBe('nosniff');
			expect(response.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
			expect(response.headers.get('cache-control')).toBe('private, no-store');
		}
	});
});
