/** A case reference as the IND writes it: `IND-2026-000123`. Browser-safe; the router's param matcher, the event API and the lookup forms all use this one pattern. */
export const REFERENCE_PATTERN = /^IND-\d{4}-\d{6,8}$/;

export function isCaseReference(value: string): boolean {
	return REFERENCE_PATTERN.test(value);
}
