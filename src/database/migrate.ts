import type { Migration } from 'typeorm';
import type { Database } from './data-source';

/** Any constant that every instance shares: the key of the session lock around migrations. */
const MIGRATION_LOCK_KEY = 7_245_001;

/**
 * Runs the pending migrations. On PostgreSQL, instances starting together on a fresh database
 * would each try to run them: a session-level advisory lock, held on a connection of its own,
 * lets one run them while the others wait, then find nothing left to do.
 */
export async function runPendingMigrations(db: Database): Promise<Migration[]> {
  if (db.kind !== 'postgres') return db.dataSource.runMigrations({ transaction: 'each' });
  const lockHolder = db.dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await db.dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockHolder.release();
  }
}
