import { columnTexts } from '$lib/components/ui';
import { translator } from '$lib/i18n';
import { formatDate } from '$lib/i18n/format';

/**
 * The planner's texts (namespace planning), and how its pages name hearing kinds, weekdays,
 * genders, table columns and form fields, and write a time of day.
 */
export function plannerFormat(lang: string) {
	const t = translator(lang, 'planning');
	return {
		t,
		kind: (k: string) => t(`staff.kinds.${k}`),
		weekday: (d: number) => t(`staff.weekdays.${d}`),
		/** A gender's name, or a dash where none is known. */
		gender: (g: string | null) => (g ? t(`staff.gender.${g}`) : '–'),
		time: (moment: Date | string) =>
			formatDate(lang, new Date(moment), { hour: '2-digit', minute: '2-digit' }),
		/** The columns' headings: `col`, `numCol` and `hiddenCol` of a name under staff.columns. */
		...columnTexts(t, 'staff.columns'),
		/** A field's label and hint (staff.fields), for a Field: `{...text('weeks', 'weeks_hint')}`. */
		text: (label: string, hint?: string) => ({
			label: t(`staff.fields.${label}`),
			hint: hint ? t(`staff.fields.${hint}`) : undefined
		})
	};
}
