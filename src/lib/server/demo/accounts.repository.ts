import type { Db } from '$lib/server/db';

export async function insertOrganisationsIfAbsent(
	db: Db,
	organisations: readonly { kvk: string; name: string }[]
): Promise<void> {
	await db
		.insertInto('organisation')
		.values(organisations.map((o) => ({ kvk: o.kvk, name: o.name })))
		.onConflict((oc) => oc.column('kvk').doNothing())
		.execute();
}

export async function findApplicantId(db: Db, vNumber: string): Promise<number | null> {
	const row = await db
		.selectFrom('applicant')
		.select('id')
		.where('v_number', '=', vNumber)
		.executeTakeFirst();
	return row?.id ?? null;
}
