/** The demo's randomness: one seeded generator, so the same seed gives the same history. */

export interface Random {
	next(): number;
	int(min: number, max: number): number;
	chance(p: number): boolean;
	pick<T>(items: readonly T[]): T;
	weighted<T>(entries: readonly (readonly [T, number])[]): T;
	normal(): number;
	uuid(): string;
}

/** mulberry32: small, fast and good enough for demo data; the same seed gives the same history. */
export function createRandom(seed: number): Random {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
	const hex = (n: number) =>
		Math.floor(next() * 16 ** n)
			.toString(16)
			.padStart(n, '0');
	const random: Random = {
		next,
		int: (min, max) => min + Math.floor(next() * (max - min + 1)),
		chance: (p) => next() < p,
		pick: (items) => items[Math.floor(next() * items.length)],
		weighted(entries) {
			const total = entries.reduce((sum, [, w]) => sum + w, 0);
			let r = next() * total;
			for (const [value, weight] of entries) {
				r -= weight;
				if (r < 0) return value;
			}
			return entries[entries.length - 1][0];
		},
		normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
		// Version 4 layout: the 13th digit is 4, the 17th one of 8, 9, a, b.
		uuid: () =>
			`${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(next() * 4)).toString(16)}${hex(3)}-${hex(6)}${hex(6)}`
	};
	return random;
}

/** A count near `expected`, with some noise, never below 0. */
export function stochasticCount(expected: number, random: Random): number {
	const noisy = expected + Math.sqrt(expected) * random.normal() * 0.5;
	const floor = Math.floor(Math.max(0, noisy));
	return floor + (random.chance(Math.max(0, noisy) - floor) ? 1 : 0);
}
