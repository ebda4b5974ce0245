import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const e2eStateDir = join(tmpdir(), `mijn-aanvraag-e2e-${process.env.E2E_PORT ?? 4173}`);
export const e2eKeyFile = join(e2eStateDir, 'api-key');
/** Messages the end-to-end SMTP server received, one file each. */
export const e2eMailDir = join(e2eStateDir, 'mail');
/** The app role's connection string the end-to-end server uses on PostgreSQL (serve.ts writes it). */
export const e2eAppDatabaseUrlFile = join(e2eStateDir, 'app-database-url');
/** Slot ids the planner's bad-input tests post (serve.ts writes them): a past and a closed one. */
export const e2ePlanningFile = join(e2eStateDir, 'planning.json');
