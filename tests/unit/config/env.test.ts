import { describe, expect, it } from 'vitest';
import { numberFromEnv } from '$lib/server/config/env';

describe('a number from the environment', () => {
	it('reads a number of zero or more, and falls back on anything else', () => {
		expect(numberFromEnv('1.5', 7)).toBe(1.5);
		expect(numberFromEnv('0', 7)).toBe(0);
		for (const value of [undefined, '', 'soon', '-1', 'Infinity'])
			expect(numberFromEnv(value, 7)).toBe(7);
	});

	it('can ask for a whole number, or one above zero', () => {
		expect(numberFromEnv('1.5', 7, { integer: true })).toBe(7);
		expect(numberFromEnv('3', 7, { integer: true })).toBe(3);
		expect(numberFromEnv('0', 7, { positive: true })).toBe(7);
		expect(numberFromEnv('0.5', 7, { positive: true })).toBe(0.5);
		expect(numberFromEnv('0.5', 7, { integer: true, positive: true })).toBe(7);
	});
});
