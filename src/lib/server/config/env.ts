/**
 * Settings read from the environment. A variable that is unset, empty or not a number of the
 * kind asked for gives the default: a typo in a deployment never turns a limit off.
 */
export function numberFromEnv(
	value: string | undefined,
	fallback: number,
	kind: { integer?: boolean; positive?: boolean } = {}
): number {
	const parsed = value === undefined || value === '' ? NaN : Number(value);
	const fits =
		(kind.integer ? Number.isInteger(parsed) : Number.isFinite(parsed)) &&
		(kind.positive ? parsed > 0 : parsed >= 0);
	return fits ? parsed : fallback;
}
