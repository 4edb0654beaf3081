import { rmSync } from 'node:fs';
import { adminQuery } from './global-setup';

/** Drops what global-setup.ts made for this run. */
export default async function globalTeardown(): Promise<void> {
  const template = process.env.WSAPI_TEST_TEMPLATE_DB;
  if (template && process.env.TEST_DATABASE_URL) await adminQuery(process.env.TEST_DATABASE_URL, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  const snapshot = process.env.WSAPI_TEST_PGLITE_SNAPSHOT;
  if (snapshot) rmSync(snapshot, { force: true });
}
