import type { Db } from '$lib/server/db';

/** Whether any case exists: the demo seeds only an empty database. */
export async function hasAnyCase(db: Db): Promise<boolean> {
	return (await db.selectFrom('case').select('id').limit(1).executeTakeFirst()) !== undefined;
}
