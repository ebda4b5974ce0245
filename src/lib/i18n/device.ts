import type { TFunction } from 'i18next';

/** A short, readable name for a browser's user-agent string: "Chrome, Android". */
export function deviceName(userAgent: string | null, t: TFunction): string {
	if (!userAgent) return t('auth:sessions.unknown_device');
	const os =
		/Android|iPhone|iPad|Windows|Mac OS X|Linux/
			.exec(userAgent)?.[0]
			?.replace('Mac OS X', 'macOS') ?? '';
	const browser = /Edg|Firefox|Chrome|Safari/.exec(userAgent)?.[0]?.replace('Edg', 'Edge') ?? '';
	return [browser, os].filter(Boolean).join(', ') || t('auth:sessions.unknown_device');
}
