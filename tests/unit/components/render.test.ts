/** The primitives rendered on the server, as a browser without JavaScript receives them. */
import { describe, expect, it } from 'vitest';
import { createRawSnippet } from 'svelte';
import { render } from 'svelte/server';
import Alert from '$lib/components/ui/Alert.svelte';
import ErrorSummary from '$lib/components/ui/ErrorSummary.svelte';
import Field from '$lib/components/ui/Field.svelte';
import Form from '$lib/components/ui/Form.svelte';
import List from '$lib/components/ui/List.svelte';
import Table from '$lib/components/ui/Table.svelte';
import PageTitle from '$lib/components/ui/PageTitle.svelte';
import Section from '$lib/components/ui/Section.svelte';
import { formState } from '$lib/components/ui/form';
import { translator } from '$lib/i18n';
import SharedForm from './SharedForm.svelte';

const text = createRawSnippet(() => ({ render: () => '<p>Saved</p>' }));
const roleOf = (html: string) => /role="(\w+)"/.exec(html)?.[1] ?? null;

describe('Alert', () => {
	it('interrupts for errors and warnings, waits its turn for information and success', () => {
		const role = (level: 'info' | 'success' | 'warning' | 'error') =>
			roleOf(render(Alert, { props: { level, children: text } }).body);
		expect(role('error')).toBe('alert');
		expect(role('warning')).toBe('alert');
		expect(role('info')).toBe('status');
		expect(role('success')).toBe('status');
	});

	it('is no live region when the page opens with it, and polite when asked', () => {
		const off = render(Alert, { props: { level: 'warning', live: 'off', children: text } }).body;
		expect(roleOf(off)).toBeNull();
		expect(off).not.toContain('aria-live');
		expect(off).toContain('<p>Saved</p>');
		const polite = render(Alert, { props: { level: 'warning', live: 'polite', children: text } });
		expect(roleOf(polite.body)).toBe('status');
	});

	it('shows the box in its level’s colours, or only the text when plain', () => {
		const error = render(Alert, { props: { level: 'error', children: text } }).body;
		expect(error).toContain('--tone: var(--colour-error)');
		expect(error).toContain('--tone-background: var(--colour-error-background)');
		const plain = render(Alert, { props: { plain: true, children: text } }).body;
		expect(plain).not.toContain('class="alert');
		expect(plain).not.toContain('--tone');
		expect(roleOf(plain)).toBe('status');
	});
});

describe('Field, ErrorSummary and PageTitle with a form state', () => {
	const t = translator('en');
	const failed = formState(t, 'en', {
		values: { email: 'someone@example' },
		errors: [{ field: 'email', key: 'auth:errors.email_invalid' }]
	});

	it('a field takes its message and sent value from the form by its name', () => {
		const html = render(Field, {
			props: { name: 'email', form: failed, label: 'Email', hint: 'Your work address' }
		}).body;
		expect(html).toContain('field-error');
		expect(html).toContain('id="email-error"');
		expect(html).toContain(t('auth:errors.email_invalid'));
		expect(html).toContain('aria-invalid="true"');
		expect(html).toContain('aria-describedby="email-hint email-error"');
		expect(html).toContain('value="someone@example"');
	});

	it('a field with options is a select that keeps the sent choice and its error', () => {
		const sent = formState(t, 'en', {
			values: { kind: 'biometrics' },
			errors: [{ field: 'kind', key: 'auth:errors.email_invalid' }]
		});
		const html = render(Field, {
			props: {
				name: 'kind',
				form: sent,
				label: 'Kind',
				options: [
					{ value: 'registration_interview', label: 'Registration interview' },
					{ value: 'biometrics', label: 'Biometrics' }
				]
			}
		}).body;
		expect(html).toMatch(/<select[^>]*id="kind"[^>]*aria-invalid="true"/);
		expect(html).toContain('aria-describedby="kind-error"');
		expect(html).toMatch(/<option value="biometrics" selected[^>]*>Biometrics<\/option>/);
		expect(html).not.toMatch(/<option value="registration_interview" selected/);
	});

	it('a field without an error is not marked', () => {
		const html = render(Field, { props: { name: 'password', form: failed, label: 'P' } }).body;
		expect(html).not.toContain('field-error');
		expect(html).not.toContain('aria-invalid');
		expect(html).not.toContain('aria-describedby');
	});

	it('the summary links to each field in error, and is absent without errors', () => {
		const html = render(ErrorSummary, { props: { form: failed } }).body;
		expect(html).toContain('There is a problem');
		expect(html).toMatch(new RegExp(`<a href="#email"[^>]*>${t('auth:errors.email_invalid')}</a>`));
		const none = render(ErrorSummary, { props: { form: formState(t, 'en', null) } }).body;
		expect(none).not.toContain('error-summary');
	});

	it('the title starts with "Error: " while the form has errors', () => {
		const page = render(PageTitle, { props: { t, title: 'Sign in', form: failed } });
		expect(page.head).toContain('<title>Error: Sign in – Mijn Aanvraag</title>');
		expect(page.body).toContain('<h1>Sign in</h1>');
		const fresh = render(PageTitle, {
			props: { t, title: 'Cases', suffix: ' (page 2 of 3)', heading: false }
		});
		expect(fresh.head).toContain('<title>Cases (page 2 of 3) – Mijn Aanvraag</title>');
		expect(fresh.body).not.toContain('<h1>');
	});
});

describe('Form, Field kinds and Table', () => {
	const t = translator('nl');
	const failed = formState(t, 'nl', {
		values: {},
		errors: [{ field: 'code', key: 'auth:errors.bad_code' }]
	});

	it('a form posts without the browser’s own checks, under its summary, with its button and cancel link', () => {
		const html = render(Form, {
			props: {
				form: failed,
				action: '?/create',
				submit: 'Opslaan',
				button: 'warning',
				cancel: { href: '/staff/admin/users', label: 'Annuleren' },
				children: createRawSnippet(() => ({ render: () => '<p>velden</p>' }))
			}
		}).body;
		expect(html.indexOf('error-summary')).toBeLessThan(html.indexOf('<form'));
		expect(html).toMatch(/<form method="POST" action="\?\/create" novalidate/);
		expect(html).toMatch(/<button class="button button-warning" type="submit">Opslaan<\/button>/);
		expect(html).toContain('href="/staff/admin/users">Annuleren</a>');
		const bare = render(Form, {
			props: { form: failed, submit: 'Verder', summary: false, children: text }
		}).body;
		expect(bare).not.toContain('error-summary');
		expect(bare).toContain('<button class="button" type="submit">Verder</button>');
	});

	it('a kind of field brings its attributes; an attribute given by the page wins', () => {
		const email = render(Field, {
			props: { name: 'adminEmail', kind: 'email', autocomplete: 'off', label: 'E-mail' }
		}).body;
		expect(email).toContain('type="email"');
		expect(email).toContain('spellcheck="false"');
		expect(email).toContain('autocomplete="off"');
		const code = render(Field, {
			props: { name: 'code', kind: 'numeric-code', form: failed, label: 'Code' }
		}).body;
		expect(code).toContain('autocomplete="one-time-code"');
		expect(code).toContain('inputmode="numeric"');
		expect(code).toContain('dir="ltr"');
		expect(code).toContain(t('auth:errors.bad_code'));
	});

	it('a table scrolls in a named region that Tab reaches, when it has a name', () => {
		const rows = createRawSnippet(() => ({ render: () => '<tbody></tbody>' }));
		const named = render(Table, { props: { labelledby: 'cases-caption', children: rows } }).body;
		expect(named).toMatch(/role="region" aria-labelledby="cases-caption" tabindex="0"/);
		expect(named.replace(/<!--.*?-->/g, '')).toContain('<table><tbody></tbody></table>');
		const plain = render(Table, { props: { children: rows } }).body;
		expect(plain).not.toContain('role="region"');
	});

	it('a table has its caption first, then one head row from its columns, then its body', () => {
		const rows = createRawSnippet(() => ({ render: () => '<tbody></tbody>' }));
		const caption = createRawSnippet(() => ({ render: () => '<caption>Cases</caption>' }));
		const html = render(Table, {
			props: {
				caption,
				columns: [
					'Reference',
					{ label: 'Days', numeric: true },
					{ label: 'Actions', hidden: true }
				],
				children: rows
			}
		}).body.replace(/<!--.*?-->/g, '');
		expect(html).toContain(
			'<table><caption>Cases</caption><thead><tr><th scope="col">Reference</th>' +
				'<th scope="col" class="number">Days</th>' +
				'<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>' +
				'<tbody></tbody></table>'
		);
	});

	it('a table draws a row per item from its row snippet, or the text that says there are none', () => {
		// A generic component's snippet, as the server's render() types it: of an unknown item.
		const row = createRawSnippet((item: () => unknown) => ({
			render: () => `<td>${(item() as { name: string }).name}</td>`
		}));
		const rows = [{ name: 'Den Haag' }, { name: 'Zwolle' }];
		const html = render(Table, {
			props: { labelledby: 'places-caption', caption: 'Places', rows, row, empty: 'None' }
		}).body.replace(/<!--.*?-->/g, '');
		expect(html).toContain('<tbody><tr><td>Den Haag</td></tr><tr><td>Zwolle</td></tr></tbody>');
		expect(html).not.toContain('None');
		const none = render(Table, {
			props: { labelledby: 'places-caption', caption: 'Places', rows: [], row, empty: 'None' }
		}).body.replace(/<!--.*?-->/g, '');
		// The caption's id stays on the page, for an error summary's link to the table.
		expect(none).toBe('<p id="places-caption">None</p>');
	});

	it('a list shows its items, or the text that says there are none', () => {
		const item = createRawSnippet((text: () => unknown) => ({ render: () => `<b>${text()}</b>` }));
		const list = render(List, { props: { items: ['09:00', '10:00'], item, empty: 'No times' } });
		expect(list.body.replace(/<!--.*?-->/g, '')).toMatch(
			/<ul class="[^"]+"><li><b>09:00<\/b><\/li><li><b>10:00<\/b><\/li><\/ul>/
		);
		const none = render(List, { props: { items: [], item, empty: 'No times' } });
		expect(none.body.replace(/<!--.*?-->/g, '')).toBe('No times');
	});

	it('a section takes its name from its heading', () => {
		const html = render(Section, {
			props: { id: 'about-title', title: 'About these figures', children: text }
		}).body.replace(/<!--.*?-->/g, '');
		expect(html).toBe(
			'<section aria-labelledby="about-title"><h2 id="about-title">About these figures</h2> ' +
				'<p>Saved</p></section>'
		);
	});

	it('a time of day, a number and a code each bring their attributes', () => {
		const attributes = (kind: 'time-of-day' | 'digits' | 'code') =>
			render(Field, { props: { name: 'f', kind, label: 'F' } }).body;
		expect(attributes('time-of-day')).toMatch(/inputmode="numeric"/);
		expect(attributes('time-of-day')).toMatch(/maxlength="5"/);
		expect(attributes('digits')).toMatch(/inputmode="numeric"[^>]*autocomplete="off"/);
		expect(attributes('code')).toMatch(/autocomplete="off"[^>]*spellcheck="false"/);
	});

	it('a page that shares its form state: its forms and fields take it, the summary is the page’s', () => {
		const shared = render(SharedForm, { props: { form: failed } }).body;
		expect(shared).toContain('id="code-error"');
		expect(shared).toContain(t('auth:errors.bad_code'));
		expect(shared).not.toContain('error-summary');
		// A form given its own state shows its summary, and its fields take that state.
		const own = render(SharedForm, { props: { form: formState(t, 'nl', {}), own: failed } }).body;
		expect(own).toContain('error-summary');
		expect(own).toContain('id="code-error"');
	});
});
