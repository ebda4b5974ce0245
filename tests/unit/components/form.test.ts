import { describe, expect, it } from 'vitest';
import { formPage, formState } from '$lib/components/ui/form';
import { translator } from '$lib/i18n';

const en = translator('en');
const nl = translator('nl');

describe('formState', () => {
	it('reads nothing from a page that has not been submitted', () => {
		for (const form of [null, undefined, { sent: true }]) {
			const f = formState(en, 'en', form);
			expect(f.errors).toEqual([]);
			expect(f.titlePrefix).toBe('');
			expect(f.submitted).toBe(false);
			expect(f.error('email')).toBeUndefined();
			expect(f.value('email')).toBe('');
			expect(f.value('desk', 'Den Haag')).toBe('Den Haag');
			expect(f.checked('role_counter')).toBe(false);
		}
	});

	it('translates the server’s keys into the page’s language, in the server’s order', () => {
		const form = {
			values: { email: 'a@b.nl' },
			errors: [
				{ field: 'email', key: 'auth:errors.email_invalid' },
				{ field: 'password', key: 'auth:errors.password_required' }
			]
		};
		const f = formState(nl, 'nl', form);
		expect(f.errors.map((e) => e.field)).toEqual(['email', 'password']);
		expect(f.error('email')).toBe(nl('auth:errors.email_invalid'));
		expect(f.error('email')).not.toBe('auth:errors.email_invalid');
		expect(f.error('password')).toBe(nl('auth:errors.password_required'));
		expect(f.titlePrefix).toBe('Fout: ');
		expect(f.summaryTitle).toBe('Er is een probleem');
		expect(formState(en, 'en', form).titlePrefix).toBe('Error: ');
	});

	it('formPage gives a page its translator and its form state in one language', () => {
		const form = { values: {}, errors: [{ field: 'email', key: 'auth:errors.email_invalid' }] };
		const { t, f } = formPage('nl', form);
		expect(t('common:error_summary_title')).toBe('Er is een probleem');
		expect(f.error('email')).toBe(nl('auth:errors.email_invalid'));
		expect(f.titlePrefix).toBe('Fout: ');
	});

	it('gives back what was sent, and nothing for a secret the server did not echo', () => {
		const f = formState(en, 'en', {
			values: { email: 'a@b.nl', role_counter: 'on', role_triage: '' },
			errors: [{ field: 'password', key: 'auth:errors.password_required' }]
		});
		expect(f.submitted).toBe(true);
		expect(f.value('email')).toBe('a@b.nl');
		// After a failed submit the sent value wins over the initial one, even when it is empty.
		expect(f.value('desk', 'Den Haag')).toBe('');
		expect(f.value('password')).toBe('');
		expect(f.checked('role_counter')).toBe(true);
		expect(f.checked('role_triage')).toBe(false);
	});

	it('formats a time in a message in the page’s language and Amsterdam time', () => {
		const f = formState(en, 'en', {
			errors: [
				{ field: 'email', key: 'auth:errors.throttled', params: { time: '2026-07-01T10:00:00Z' } }
			]
		});
		expect(f.error('email')).toContain('12:00');
	});

	it('shows the first message of a field that has two', () => {
		const f = formState(en, 'en', {
			errors: [
				{ field: 'code', key: 'auth:errors.bad_code' },
				{ field: 'code', key: 'auth:errors.code_required' }
			]
		});
		expect(f.error('code')).toBe(en('auth:errors.bad_code'));
	});
});
