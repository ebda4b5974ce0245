import { expect, test } from 'vitest';
import { embeddedDatabaseRefusal, isDemoMode } from '$lib/server/config/mode';

test('demo data and accounts only on the embedded database outside production, or when asked for', () => {
	expect(isDemoMode({})).toBe(true);
	expect(isDemoMode({ NODE_ENV: 'development' })).toBe(true);
	expect(isDemoMode({ NODE_ENV: 'production' })).toBe(false);
	expect(isDemoMode({ DATABASE_URL: 'postgres://db/app' })).toBe(false);
	expect(isDemoMode({ DATABASE_URL: 'postgres://db/app', DEMO_MODE: 'on' })).toBe(true);
	expect(isDemoMode({ NODE_ENV: 'production', DEMO_MODE: 'on' })).toBe(true);
	expect(isDemoMode({ DEMO_MODE: 'off' })).toBe(false);
});

test('production refuses the embedded database unless an operator overrides it', () => {
	expect(embeddedDatabaseRefusal({ NODE_ENV: 'production' })).toMatch(/DATABASE_URL/);
	expect(
		embeddedDatabaseRefusal({ NODE_ENV: 'production', ALLOW_EMBEDDED_DATABASE: 'yes' })
	).toBeNull();
	expect(
		embeddedDatabaseRefusal({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app' })
	).toBeNull();
	expect(embeddedDatabaseRefusal({})).toBeNull();
});
