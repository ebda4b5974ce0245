import type { TFunction } from 'i18next';
import { formatDate } from '$lib/i18n/format';

/** How the planner's pages name hearing kinds and weekdays, and write a time of day. */
export function plannerFormat(t: TFunction, lang: string) {
	return {
		kind: (k: string) => t(`staff.kinds.${k}`),
		weekday: (d: number) => t(`staff.weekdays.${d}`),
		time: (moment: Date | string) =>
			formatDate(lang, new Date(moment), { hour: '2-digit', minute: '2-digit' })
	};
}
