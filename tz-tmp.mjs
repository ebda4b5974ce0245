import { PGlite } from '@electric-sql/pglite';
const db = await PGlite.create();
console.log((await db.query(`select ('2026-10-26'::date::timestamp at time zone 'Europe/Amsterdam')::text as a, ('2026-07-01'::date::timestamp at time zone 'Europe/Amsterdam')::text as b, current_setting('TimeZone') tz, version()`)).rows);
console.log((await db.query(`select percentile_cont(0.5) within group (order by x) m from unnest(array[1,2,3,4]) x`)).rows);
