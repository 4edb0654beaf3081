import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../src/database/data-source';
import { runPendingMigrations } from '../../src/database/migrate';

/**
 * Migrates one database per run, which every test file's fresh database copies: a template
 * database on PostgreSQL, a dump of a migrated instance for PGlite. Running every migration
 * for every file cost ~10 s a file on PGlite. The migrations' own tests start from empty.
 */
export default async function globalSetup(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const name = `wsapi_template_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const db = await openDatabase({ url: url.toString(), poolSize: 2 });
    try {
      await runPendingMigrations(db);
    } finally {
      await db.close();
    }
    process.env.WSAPI_TEST_TEMPLATE_DB = name;
    return;
  }
  const db = await openDatabase({ url: 'memory' });
  try {
    await runPendingMigrations(db);
    const dump = await db.pglite!.dumpDataDir('none');
    const path = join(tmpdir(), `wsapi-test-template-${process.pid}-${randomUUID().slice(0, 8)}.tar`);
    writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
    process.env.WSAPI_TEST_PGLITE_SNAPSHOT = path;
  } finally {
    await db.close();
  }
}

export async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
